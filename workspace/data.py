"""What `workspace` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal

DATA = AppData(
    # Export layouts: staff pages only, never cached.
    transactional_models=("ExchangeLayout", "ExchangeColumn", "PersonalDataExport", "ReminderLog"),
    not_personal=(
        NotPersonal("ExchangeLayout", ("name", "source"), "a layout's name and where it came from"),
        NotPersonal("PersonalDataExport", ("rows",), "how many rows an export held: a count"),
    ),
)
