"""Valid Chinese resident ID numbers (GB 11643) for tests, computed rather than copied."""

import datetime as dt

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def make_id_number(
    serial: int = 1, *, region: str = "420106", birth: dt.date = dt.date(2002, 3, 14), male=True
) -> str:
    """An ID number whose 17th digit encodes the sex (odd = male) and whose check char is right."""
    seq = (serial * 2 + (1 if male else 0)) % 1000
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
