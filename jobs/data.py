"""What `jobs` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData

DATA = AppData(
    # A long job's state and result line (counts, no names); shown only to whoever started it.
    transactional_models=("Job",),
)
