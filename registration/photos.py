"""Candidate photos (证件照): decode, normalise, crop and re-encode an upload; private storage.

Nothing about an upload is trusted: not its name, not its content type. The bytes are size-checked
before decoding, the header is read before any pixel is, turned upright by its EXIF orientation,
flattened onto white (alpha, palette, CMYK), centre-cropped to the round's aspect, scaled to the
round's size and saved as a baseline JPEG with no EXIF, at the highest quality that fits the
round's size limit.

Every decode has a memory bound that holds for the worst file accepted (docs/security.md):

- a JPEG is decoded at reduced scale (Pillow's ``draft``: the decoder's own 1/2, 1/4 or 1/8 DCT
  scaling), the largest reduction that still leaves enough pixels for the round's photo, so a
  48 MP phone photo decodes to 1000×750; with the aspect ratio capped at 4:1 no accepted JPEG
  decodes to more than about 3 MP;
- PNG and WebP have no reduced decode: they are refused above ``MAX_FULL_DECODE_PIXELS``
  (16 MP, 64 MB decoded) and shrunk by an integer factor right after decoding;
- at most ``PHOTO_DECODES_AT_ONCE`` decodes run at a time in one process (default 1); an upload
  that cannot start within ``PHOTO_DECODE_WAIT_SECONDS`` gets "系统繁忙，请稍后重试" on its form.

Photos are stored through Django's storage API under the alias `photos` (settings.STORAGES): a
FileSystemStorage outside any served URL by default, S3-compatible storage through django-storages
where several nodes serve the site (docs/exams.md). File names are random. They are served only by
views that check the student's private link or the staff member's scope.
"""

import io
import re
import secrets
import threading
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pixels a JPEG's header may claim: decoded at 1/8 scale at most, 64 MP is 1 MP in memory.
MAX_PIXELS = 64_000_000
# Pixels of a PNG or WebP, decoded whole (4 bytes a pixel): 16 MP is 64 MB, the largest decode.
MAX_FULL_DECODE_PIXELS = 16_000_000
# Longer side over shorter side: a JPEG this thin cannot be decoded at reduced scale, and no ID
# photo comes out of a panorama.
MAX_ASPECT = 4
MIN_SIDE = 100  # pixels: smaller is no usable ID photo
# What phones and browsers upload (iOS converts HEIC to JPEG when a page asks for image/*). MPO
# (a phone's multi-picture JPEG) is recognised by the JPEG plugin.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
DRAFT_FORMATS = frozenset({"JPEG", "MPO"})
QUALITIES = (90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30)

EMPTY = _("请选择一张照片。")
NOT_AN_IMAGE = _("无法识别该文件为图片，请上传 JPG 或 PNG 格式的照片。")
TOO_MANY_PIXELS = _("照片像素过多，无法处理，请上传普通手机照片。")
TOO_MANY_PIXELS_PNG = _("PNG/WebP 图片不能超过 1600 万像素，请上传手机拍摄的 JPG 照片。")
ODD_SHAPE = _("照片长宽比例异常（超过 4:1），请上传正常比例的证件照。")
TOO_SMALL = _("照片太小（宽或高不足 100 像素），请上传清晰的照片。")
CANNOT_FIT = _("照片无法压缩到规定大小，请换一张背景简单的照片。")
BUSY = _("系统繁忙，请稍后重试。照片没有上传，本页已填写的内容仍然保留。")


def upload_limit_bytes() -> int:
    """The one upload limit (settings.UPLOAD_MAX_MB), in bytes."""
    return settings.UPLOAD_MAX_MB * 1024 * 1024


def too_large_message() -> str:
    return _("照片文件过大（超过 %(mb)s MB），请换一张或用手机重新拍摄。") % {
        "mb": settings.UPLOAD_MAX_MB
    }


class PhotoError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class PhotoBusy(PhotoError):
    """No decode could start in time: the upload was not looked at, the student may retry."""


_decode_slots: threading.BoundedSemaphore | None = None
_decode_slots_lock = threading.Lock()


def decode_slots() -> threading.BoundedSemaphore:
    """This process's decode slots (settings.PHOTO_DECODES_AT_ONCE), made on first use."""
    global _decode_slots
    with _decode_slots_lock:
        if _decode_slots is None:
            _decode_slots = threading.BoundedSemaphore(settings.PHOTO_DECODES_AT_ONCE)
        return _decode_slots


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


def _decode(data: bytes, spec: "PhotoSpec") -> Image.Image:
    """The upload's pixels, never more than MAX_FULL_DECODE_PIXELS × 4 bytes of them.

    Everything that can be refused from the header is refused before any pixel is decoded.
    Pillow warns above its own MAX_IMAGE_PIXELS and raises above twice that; ours are lower, so
    both only ever fire as errors here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
            if image.format not in ACCEPTED_FORMATS or _truncated(data, image.format):
                raise PhotoError(NOT_AN_IMAGE)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoError(TOO_MANY_PIXELS)
            if min(width, height) < MIN_SIDE:
                raise PhotoError(TOO_SMALL)
            if max(width, height) > MAX_ASPECT * min(width, height):
                raise PhotoError(ODD_SHAPE)
            if image.format in DRAFT_FORMATS:
                # The largest DCT reduction (1/2, 1/4, 1/8) that keeps both sides at least the
                # photo's longer side, whichever way EXIF turns it.
                side = max(spec.width, spec.height, MIN_SIDE)
                image.draft("RGB", (side, side))
            elif width * height > MAX_FULL_DECODE_PIXELS:
                raise PhotoError(TOO_MANY_PIXELS_PNG)
            # Whatever the format and whatever draft did, this is the most that is decoded.
            if image.size[0] * image.size[1] > MAX_FULL_DECODE_PIXELS:
                raise PhotoError(TOO_MANY_PIXELS)
            image.load()
        except PhotoError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(TOO_MANY_PIXELS) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise PhotoError(NOT_AN_IMAGE) from None
    return _shrink(image, spec)


def _shrink(image: Image.Image, spec: "PhotoSpec") -> Image.Image:
    """Reduce by a whole factor at once (box filter) while both sides stay above the photo's
    longer side: later conversions then copy a small image, not the decoded one."""
    factor = min(image.size) // max(spec.width, spec.height, MIN_SIDE)
    if factor < 2:
        return image
    try:
        return image.reduce(factor)
    except ValueError:  # a mode reduce() does not take (palette, 16-bit grey)
        return _on_white(image).reduce(factor)


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
    """The upload as the round's ID photo: a JPEG of spec's size, under spec's byte limit.

    Waits at most settings.PHOTO_DECODE_WAIT_SECONDS for one of this process's decode slots,
    then raises PhotoBusy.
    """
    if not data:
        raise PhotoError(EMPTY)
    if len(data) > upload_limit_bytes():
        raise PhotoError(too_large_message())
    slots = decode_slots()
    if not slots.acquire(timeout=settings.PHOTO_DECODE_WAIT_SECONDS):
        raise PhotoBusy(BUSY)
    try:
        return _process(data, spec)
    finally:
        slots.release()


def _process(data: bytes, spec: PhotoSpec) -> bytes:
    image = _decode(data, spec)
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


def read_upload(uploaded, limit: int | None = None) -> bytes:
    """Read an UploadedFile, refusing one larger than `limit` (the upload limit) before reading
    it all."""
    limit = upload_limit_bytes() if limit is None else limit
    if uploaded is None:
        raise PhotoError(EMPTY)
    if uploaded.size is not None and uploaded.size > limit:
        raise PhotoError(too_large_message())
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(too_large_message())
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
