"""Masking of personal data for display: only a person's own edit form shows it whole."""


def mask_id_number(value: str) -> str:
    """4201**********123X: the region prefix and the last four characters stay visible."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
