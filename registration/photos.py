"""Candidate photos (证件照): decode, normalise, crop and re-encode an upload; private storage.

Nothing about an upload is trusted: not its name, not its content type. The bytes are size-checked
before decoding, decoded by Pillow with a pixel limit (a decompression bomb is refused, not
decoded), turned upright by its EXIF orientation, flattened onto white (alpha, palette, CMYK),
centre-cropped to the round's aspect, scaled to the round's size and saved as a baseline JPEG with
no EXIF, at the highest quality that fits the round's size limit.

Photos are stored through Django's storage API under the alias `photos` (settings.STORAGES): a
FileSystemStorage outside any served URL by default, S3-compatible storage through django-storages
where several nodes serve the site (docs/exams.md). File names are random. They are served only by
views that check the student's private link or the staff member's scope.
"""

import io
import re
import secrets
import warnings
from dataclasses import dataclass

from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Upload limit before decoding: phone cameras produce 3-12 MB JPEGs; anything larger is refused.
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Decoded pixel limit: a 48-megapixel phone photo passes, a decompression bomb does not.
MAX_PIXELS = 50_000_000
MIN_SIDE = 100  # pixels: smaller is no usable ID photo
# What phones and browsers upload (iOS converts HEIC to JPEG when a page asks for image/*).
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
QUALITIES = (90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30)

EMPTY = _("请选择一张照片。")
TOO_LARGE_FILE = _("照片文件过大（超过 15 MB），请换一张或用手机重新拍摄。")
NOT_AN_IMAGE = _("无法识别该文件为图片，请上传 JPG 或 PNG 格式的照片。")
TOO_MANY_PIXELS = _("照片像素过多，无法处理，请上传普通手机照片。")
TOO_SMALL = _("照片太小（宽或高不足 100 像素），请上传清晰的照片。")
CANNOT_FIT = _("照片无法压缩到规定大小，请换一张背景简单的照片。")


class PhotoError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class PhotoSpec:
    width: int = 358
    height: int = 441
    max_bytes: int = 200 * 1024

    @classmethod
    def of_round(cls, exam_round) -> "PhotoSpec":
        return cls(
            width=exam_round.photo_width,
            height=exam_round.photo_height,
            max_bytes=exam_round.photo_max_kb * 1024,
        )


def photo_storage():
    """The storage photos go to (settings.STORAGES["photos"]); a callable, so tests can swap it."""
    return storages["photos"]


def photo_upload_to(instance, filename: str) -> str:
    """A random name: the candidate's name, ID number and the upload's name never appear in it."""
    return f"photos/{secrets.token_hex(16)}.jpg"


def _decode(data: bytes) -> Image.Image:
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; we refuse above our own
    # limit before any pixel is decoded (the header gives the size), so both become errors.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoError(TOO_MANY_PIXELS)
            image.load()
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(TOO_MANY_PIXELS) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise PhotoError(NOT_AN_IMAGE) from None
    if image.format not in ACCEPTED_FORMATS or _truncated(data, image.format):
        raise PhotoError(NOT_AN_IMAGE)
    return image


def _truncated(data: bytes, fmt: str) -> bool:
    """True when the file stops before its end marker.

    Pillow refuses truncated files only while ImageFile.LOAD_TRUNCATED_IMAGES is False, and
    WeasyPrint sets it to True for the whole process on import; so we check the end ourselves.
    In a JPEG no marker can occur inside entropy-coded data (0xFF is stuffed as FF00), so a
    complete file has its last end-of-image (FFD9) after its last start-of-scan (FFDA); an EXIF
    thumbnail's own FFD9 comes before the main image's FFDA. A PNG ends with an IEND chunk.
    """
    if fmt in ("JPEG", "MPO"):
        return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")
    if fmt == "PNG":
        return b"IEND" not in data
    return False


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode == "CMYK":
        # Adobe JPEGs store CMYK inverted; Pillow's conversion handles the common case.
        return image.convert("RGB")
    return image.convert("RGB")


def _centre_crop(image: Image.Image, spec: PhotoSpec) -> Image.Image:
    return ImageOps.fit(
        image, (spec.width, spec.height), method=Image.Resampling.LANCZOS, centering=(0.5, 0.4)
    )


def photo_process(data: bytes, spec: PhotoSpec) -> bytes:
    """The upload as the round's ID photo: a JPEG of spec's size, under spec's byte limit."""
    if not data:
        raise PhotoError(EMPTY)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError(TOO_LARGE_FILE)
    image = _decode(data)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError):
        pass  # a broken EXIF block: keep the pixels as stored
    if min(image.size) < MIN_SIDE:
        raise PhotoError(TOO_SMALL)
    image = _centre_crop(_on_white(image), spec)
    for quality in QUALITIES:
        output = io.BytesIO()
        # A fresh image has no info dict from the upload: no EXIF, no ICC profile, no comment.
        image.save(output, "JPEG", quality=quality, optimize=True, exif=b"")
        if output.tell() <= spec.max_bytes:
            return output.getvalue()
    raise PhotoError(CANNOT_FIT)


def read_upload(uploaded, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """Read an UploadedFile, refusing one larger than `limit` before reading it all."""
    if uploaded is None:
        raise PhotoError(EMPTY)
    if uploaded.size is not None and uploaded.size > limit:
        raise PhotoError(TOO_LARGE_FILE)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(TOO_LARGE_FILE)
    return data


def photo_bytes(photo) -> bytes | None:
    """The stored JPEG of a photo field, or None when there is none or the file is gone."""
    if not photo:
        return None
    try:
        with photo.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def photo_data_uri(photo) -> str:
    """The photo inline (for the ticket PDF and the check-in page), or "" when there is none."""
    import base64

    data = photo_bytes(photo)
    if data is None:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


_UNSAFE_NAME = re.compile(r"[^0-9A-Z]")


def photo_file_name(registration) -> str:
    """The photo's name inside the platform photo zip, `<ID number>.jpg`, and in the candidate
    sheet's 照片文件名 column: both call this one function, so the two always agree. Anything but
    ASCII letters and digits is dropped (no path tricks); the registration number stands in for
    an ID number that leaves nothing."""
    number = _UNSAFE_NAME.sub("", (registration.id_number or "").upper()) or registration.number
    return f"{number}.jpg"
