"""What `eligibility` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal

DATA = AppData(
    content_models=("EligibilityCondition",),
    not_personal=(
        NotPersonal(
            "EligibilityCondition",
            ("text", "candidate_types", "school_kinds", "major_relations", "grades"),
            "a published condition and its parameters",
        ),
    ),
)
