import io
import re

import pytest
import zxingcpp
from PIL import Image

from common import qr
from common.qr import BORDER, class_signup_url, qr_matrix, qr_png, qr_svg
from tests.factories import SchoolClassFactory


@pytest.mark.django_db
def test_class_signup_url_is_absolute_from_site_url(settings):
    settings.SITE_URL = "https://kwt.example.edu.cn"
    school_class = SchoolClassFactory()
    assert class_signup_url(school_class) == f"https://kwt.example.edu.cn/r/{school_class.code}/"


def test_qr_png_decodes_to_the_url():
    url = "https://kwt.example.edu.cn/r/Ab-_9xYz012Q/"
    image = Image.open(io.BytesIO(qr_png(url)))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [url]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_qr_png_decoding_tells_two_urls_apart():
    """Control: the decoder really reads the image (a different URL gives a different text)."""
    image = Image.open(io.BytesIO(qr_png("https://a.example/r/one/")))
    assert [r.text for r in zxingcpp.read_barcodes(image)] != ["https://a.example/r/two/"]


def _png_modules(png: bytes, size: int) -> list[list[bool]]:
    image = Image.open(io.BytesIO(png)).convert("L")
    box = image.width / (size + 2 * BORDER)
    return [
        [
            image.getpixel((int((BORDER + x + 0.5) * box), int((BORDER + y + 0.5) * box))) < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def test_qr_png_module_grid_matches_the_regenerated_matrix():
    url = "http://127.0.0.1:8000/r/abcdefghijkl/"
    matrix = qr_matrix(url)
    assert _png_modules(qr_png(url), len(matrix)) == matrix
    assert _png_modules(qr_png(url), len(matrix)) != qr_matrix(url.replace("abc", "abd"))


def _svg_modules(svg: str, size: int) -> list[list[bool]]:
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}
    return [[(BORDER + x, BORDER + y) in dark for x in range(size)] for y in range(size)]


def test_qr_svg_is_inline_markup_of_the_same_symbol():
    url = "https://kwt.example.edu.cn/r/Ab-_9xYz012Q/"
    svg = qr_svg(url, label="电子商务2班报名二维码")
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert "style=" not in svg
    assert 'width="' not in svg.split(">", 1)[0]
    assert 'aria-label="电子商务2班报名二维码"' in svg
    matrix = qr_matrix(url)
    assert _svg_modules(svg, len(matrix)) == matrix


def test_qr_uses_medium_error_correction():
    assert qr.ERROR_CORRECTION == qr.qrcode.constants.ERROR_CORRECT_M
