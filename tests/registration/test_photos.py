"""Photo upload processing, fuzzed: only real images pass, all come out the same shape."""

import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from registration import photos
from registration.photos import (
    BUSY,
    CANNOT_FIT,
    EMPTY,
    NOT_AN_IMAGE,
    ODD_SHAPE,
    TOO_MANY_PIXELS,
    TOO_MANY_PIXELS_PNG,
    TOO_SMALL,
    PhotoBusy,
    PhotoError,
    PhotoSpec,
    photo_process,
    too_large_message,
    upload_limit_bytes,
)

SPEC = PhotoSpec()


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    output = io.BytesIO()
    image.save(output, fmt, **kwargs)
    return output.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def error_of(data: bytes, spec: PhotoSpec = SPEC) -> str:
    with pytest.raises(PhotoError) as info:
        photo_process(data, spec)
    return str(info.value.message)


def test_a_phone_jpeg_becomes_the_rounds_size_under_the_limit():
    image = Image.effect_noise((1200, 1600), 80).convert("RGB")  # noise: hard to compress
    out = photo_process(encode(image, "JPEG", quality=95), SPEC)
    result = decoded(out)
    assert result.format == "JPEG"
    assert result.size == (358, 441)
    assert result.mode == "RGB"
    assert len(out) <= 200 * 1024


def test_the_size_limit_steps_the_quality_down():
    image = Image.effect_noise((800, 1000), 120).convert("RGB")
    generous = photo_process(encode(image, "PNG"), PhotoSpec(max_bytes=500 * 1024))
    tight = photo_process(encode(image, "PNG"), PhotoSpec(max_bytes=40 * 1024))
    assert len(tight) <= 40 * 1024 < len(generous)


def test_a_limit_no_quality_meets_is_refused():
    image = Image.effect_noise((800, 1000), 120).convert("RGB")
    assert error_of(encode(image, "PNG"), PhotoSpec(max_bytes=1024)) == str(CANNOT_FIT)


def test_the_rounds_own_size_is_used():
    image = Image.new("RGB", (1000, 1000), (10, 120, 200))
    result = decoded(photo_process(encode(image, "JPEG"), PhotoSpec(width=295, height=413)))
    assert result.size == (295, 413)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"\xff\xd8\xff\xe0" + b"\x00" * 200,  # a JPEG header and nothing behind it
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a" + b"\x00" * 10,
    ],
)
def test_what_is_not_an_image_is_refused(data):
    assert error_of(data) in {str(NOT_AN_IMAGE), str(EMPTY)}


@pytest.fixture(params=[False, True], ids=["pillow-default", "as-weasyprint-sets-it"])
def truncated_allowed(request, monkeypatch):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the process when imported."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", request.param)


def _photo_with_thumbnail() -> bytes:
    """A camera-like JPEG: EXIF with an embedded JPEG thumbnail (its own FFD8...FFD9)."""
    thumbnail = encode(Image.new("RGB", (160, 120), (0, 200, 0)), "JPEG")
    image = Image.effect_noise((900, 1200), 60).convert("RGB")
    body = encode(image, "JPEG", quality=90)
    # An APP1 segment carrying the thumbnail bytes, right after SOI, as cameras write it.
    payload = b"Exif\x00\x00" + thumbnail
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return body[:2] + app1 + body[2:]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "thumbnail"])
def test_a_truncated_image_is_refused(fmt, truncated_allowed):
    if fmt == "thumbnail":
        data = _photo_with_thumbnail()
        assert decoded(data).size == (900, 1200)  # control: whole, it is a good photo
    else:
        data = encode(Image.effect_noise((600, 800), 60).convert("RGB"), fmt)
    assert error_of(data[: len(data) * 2 // 3]) == str(NOT_AN_IMAGE)
    assert decoded(photo_process(data, SPEC)).size == (358, 441)


def test_formats_phones_do_not_send_are_refused():
    image = Image.new("RGB", (600, 800), (30, 30, 30))
    for fmt in ("GIF", "BMP", "TIFF", "PPM"):
        assert error_of(encode(image, fmt)) == str(NOT_AN_IMAGE), fmt


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims huge dimensions: a tiny file that would decode to gigabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = _png_header_only(60000, 60000)  # 3.6 gigapixels in a few hundred bytes
    assert len(bomb) < 2000
    assert error_of(bomb) == str(TOO_MANY_PIXELS)


def test_huge_dimensions_below_pillows_own_limit_are_refused_too():
    # 8001 x 8000: under Pillow's bomb error (179 MP), just over ours for any format (64 MP).
    assert error_of(_png_header_only(8001, 8000)) == str(TOO_MANY_PIXELS)


def test_a_png_is_decoded_whole_so_its_limit_is_16_megapixels(monkeypatch):
    # The header alone decides: 4000 x 4000 passes the pixel check (then fails on its fake
    # data), 4000 x 4001 is refused before any pixel is decoded. Whether the short data "fails"
    # depends on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which WeasyPrint turns on when
    # another test has imported it; pinned here so the test says the same in any order.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    assert error_of(_png_header_only(4000, 4001)) == str(TOO_MANY_PIXELS_PNG)
    assert error_of(_png_header_only(4000, 4000)) == str(NOT_AN_IMAGE)


def test_a_real_compressed_bomb_is_refused():
    # A genuine 10000 x 10000 white PNG compresses to well under 1 MB.
    data = encode(Image.new("L", (10000, 10000), 255), "PNG", optimize=False)
    assert len(data) < 1024 * 1024
    assert error_of(data) == str(TOO_MANY_PIXELS)


def test_a_file_above_the_byte_limit_is_refused_without_decoding():
    assert error_of(b"\xff\xd8" + b"\x00" * upload_limit_bytes()) == too_large_message()


def test_the_byte_limit_is_the_one_upload_setting(settings):
    settings.UPLOAD_MAX_MB = 3
    assert upload_limit_bytes() == 3 * 1024 * 1024
    assert "3 MB" in too_large_message()


def _phone_jpeg(width: int, height: int) -> bytes:
    noise = Image.effect_noise((width // 8, height // 8), 40).convert("L")
    return encode(noise.resize((width, height)).convert("RGB"), "JPEG", quality=80)


def test_a_48_megapixel_jpeg_is_decoded_at_an_eighth_of_its_size():
    data = _phone_jpeg(8000, 6000)
    decoded_image = photos._decode(data, SPEC)
    # 1/8 scale (1000 × 750) still leaves both sides above the photo's 441 pixels.
    assert decoded_image.size == (1000, 750)
    assert decoded(photo_process(data, SPEC)).size == (358, 441)


def test_reduction_never_leaves_fewer_pixels_than_the_photo_needs():
    # 441 × 8 = 3528: a 3527-pixel short side is decoded at 1/4 (1176 × 882), then halved; one
    # of 3528 at 1/8. Either way the short side stays at the photo's longer side, 441.
    assert photos._decode(_phone_jpeg(4704, 3527), SPEC).size == (588, 441)
    assert photos._decode(_phone_jpeg(4704, 3528), SPEC).size == (588, 441)
    assert photos._decode(_phone_jpeg(880, 700), SPEC).size == (880, 700)  # no reduction


def test_a_large_png_is_shrunk_right_after_decoding():
    data = encode(Image.new("RGB", (4000, 3000), (40, 90, 140)), "PNG")
    assert photos._decode(data, SPEC).size == (667, 500)  # reduced by 6: 3000 // 441


def test_a_panorama_is_refused_before_decoding():
    assert error_of(_png_header_only(1601, 400)) == str(ODD_SHAPE)
    image = Image.new("RGB", (1600, 400), (20, 20, 20))
    assert decoded(photo_process(encode(image, "JPEG"), SPEC)).size == (358, 441)


def test_no_decode_starts_while_the_slots_are_taken_and_the_upload_is_told_to_retry(settings):
    settings.PHOTO_DECODE_WAIT_SECONDS = 0.05
    data = encode(Image.new("RGB", (600, 800), (30, 30, 30)), "JPEG")
    slots = photos.decode_slots()
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        with pytest.raises(PhotoBusy) as info:
            photo_process(data, SPEC)
        assert str(info.value.message) == str(BUSY)
    finally:
        for _ in range(taken):
            slots.release()
    assert decoded(photo_process(data, SPEC)).size == (358, 441)  # control: a free slot


def test_a_tiny_image_is_refused():
    assert error_of(encode(Image.new("RGB", (40, 60)), "PNG")) == str(TOO_SMALL)


def test_exif_rotation_is_applied_then_exif_is_stripped():
    # A landscape buffer whose EXIF says "rotate 90° clockwise to view": the viewed photo is
    # portrait, with the red half (left of the buffer) on top.
    image = Image.new("RGB", (1600, 1200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 800, 1200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # a GPS block: where the photo was taken
    data = encode(image, "JPEG", exif=exif.tobytes())
    out = decoded(photo_process(data, SPEC))
    assert out.size == (358, 441)
    top = out.getpixel((179, 20))
    bottom = out.getpixel((179, 420))
    assert top[0] > 200 and top[2] < 60, top  # red on top: the rotation was applied
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    assert not out.getexif()  # no orientation, maker or GPS left
    assert "exif" not in out.info


def test_cmyk_jpeg_becomes_rgb():
    image = Image.new("CMYK", (800, 1000), (0, 255, 255, 0))  # red in CMYK
    out = decoded(photo_process(encode(image, "JPEG"), SPEC))
    assert out.mode == "RGB"
    r, g, b = out.getpixel((179, 220))
    assert r > 200 and g < 60 and b < 60


def test_png_with_alpha_is_flattened_on_white():
    image = Image.new("RGBA", (800, 1000), (0, 0, 0, 0))  # fully transparent
    image.paste((0, 128, 0, 255), (300, 300, 500, 700))
    out = decoded(photo_process(encode(image, "PNG"), SPEC))
    assert out.mode == "RGB"
    assert min(out.getpixel((5, 5))) > 245  # the transparent corner is white, not black


def test_palette_png_with_transparency_is_flattened_on_white():
    image = Image.new("P", (600, 800), 0)
    image.putpalette([0, 0, 0] * 256)
    out = decoded(photo_process(encode(image, "PNG", transparency=0), SPEC))
    assert min(out.getpixel((5, 5))) > 245


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=4096))
def test_random_bytes_never_crash(data):
    try:
        out = photo_process(data, SPEC)
    except PhotoError:
        return
    assert decoded(out).size == (358, 441)


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0, max_value=5000))
def test_corrupted_real_images_never_crash(garbage, position):
    data = bytearray(encode(Image.new("RGB", (300, 400), (90, 90, 90)), "JPEG"))
    position = position % len(data)
    data[position : position + len(garbage)] = garbage
    try:
        out = photo_process(bytes(data), SPEC)
    except PhotoError:
        return
    assert decoded(out).size == (358, 441)
