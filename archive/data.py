"""What `archive` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal, Personal, Purge

DATA = AppData(
    transactional_models=("RoundArchive", "PurgeRecord"),
    personal=(
        # The export of an archived round: rebuilt from the anonymised data by the purge.
        Personal("RoundArchive", {"file": Purge.REBUILD}, round="exam_round"),
    ),
    not_personal=(NotPersonal("PurgeRecord", ("counts",), "counts per kind, never a value"),),
)
