"""What `courses` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal

DATA = AppData(
    # Training classes, lessons and the cut-off are set up by staff and rarely edited; classified
    # as content so that no page can show them stale.
    content_models=(
        "TrainingModule",
        "TrainingTopic",
        "TrainingClass",
        "TrainingLesson",
        "TrainingCutoff",
    ),
    not_personal=(NotPersonal("TrainingClass", ("name",), "a training class's name"),),
)
