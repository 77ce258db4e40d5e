"""教务's photo archive for the national platform: one zip, one `<ID number>.jpg` per candidate.

Active registrations of the round with a photo that was not returned. JPEGs are stored, not
deflated (they do not compress); the zip is spooled to a temporary file past a few MB, so memory
stays small for a round of thousands.
"""

import tempfile
import zipfile

from registration.models import PhotoStatus, Registration
from registration.photos import photo_bytes, photo_file_name

SPOOL_BYTES = 8 * 1024 * 1024

__all__ = ["photo_file_name", "photos_of_round", "photos_zip"]


def photos_of_round(round):
    return (
        Registration.objects.active()
        .filter(round=round)
        .exclude(photo="")
        .exclude(photo_status=PhotoStatus.RETURNED)
        .only("id", "id_number", "number", "photo")
        .order_by("id_number")
    )


def photos_zip(round) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """(the zip, rewound, and how many photos it holds)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    count = 0
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for registration in photos_of_round(round).iterator(chunk_size=500):
            data = photo_bytes(registration.photo)
            if data is None:
                continue
            archive.writestr(photo_file_name(registration), data)
            count += 1
    spool.seek(0)
    return spool, count
