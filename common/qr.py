"""QR codes for class sign-up links: inline SVG for the poster page and a PNG download."""

import io
import xml.etree.ElementTree as ET

import qrcode
import qrcode.image.svg
from django.conf import settings

SVG_NS = "http://www.w3.org/2000/svg"
# M recovers from ~15% damage: enough for a poster that gets creased or partly covered, while
# keeping the modules large for phone cameras across a classroom.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BORDER = 4  # the quiet zone the QR specification requires


def class_signup_url(school_class) -> str:
    """The absolute link a class QR code carries (`school_class` is a rounds.SchoolClass)."""
    return f"{settings.SITE_URL}/r/{school_class.code}/"


def _qr(data: str, *, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_matrix(data: str) -> list[list[bool]]:
    """Module grid of the symbol, without the quiet zone."""
    code = _qr(data)
    matrix = code.get_matrix()
    return [row[BORDER:-BORDER] for row in matrix[BORDER:-BORDER]]


def qr_svg(data: str, *, label: str = "") -> str:
    """An inline <svg> element (no XML declaration, no fixed size, no style attributes)."""
    image = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    root = image.get_image()
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("class", "qr-code")
    root.set("role", "img")
    root.set("shape-rendering", "crispEdges")
    if label:
        root.set("aria-label", label)
    ET.register_namespace("", SVG_NS)
    return ET.tostring(root, encoding="unicode")


def qr_png(data: str, *, box_size: int = 12) -> bytes:
    """A black-on-white PNG large enough to print (about 12 px per module)."""
    image = _qr(data, box_size=box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
