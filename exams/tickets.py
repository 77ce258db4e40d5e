"""Admission tickets (准考证): the signed QR token, the ticket data, and the PDFs.

The QR carries `<ticket number>:<signature>` signed with the site's secret (django.core.signing)
under its own salt: an invigilator's scan proves the ticket was issued here, and nothing
personal (never the ID number) is in the code. A typed ticket number is accepted too; the
invigilator then relies on the 身份证 alone, as with a paper list.
"""

import base64
import hashlib
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.template.loader import render_to_string

from common.qr import qr_png, qr_svg
from exams.models import AdmissionTicket, ExamPlan, Seat
from registration.photos import photo_data_uri

TOKEN_SALT = "exams.admission-ticket"
MAX_TOKEN_LENGTH = 120
# Pixels per QR module in the PDF: about 6 px per module at 40 mm is ~170 dpi, sharp on paper.
QR_BOX_SIZE = 6
# Tickets rendered per WeasyPrint document (a room of 40 is one document).
PDF_CHUNK = 50
# A candidate's own ticket PDF is kept in the cache this long (docs/caching.md), under a key
# that changes with anything the ticket shows, so a change is never served stale.
PDF_CACHE_SECONDS = 3600
PDF_TEMPLATE = "exams/pdf/tickets.html"
# How long one render may hold its link's lock (a render takes well under a second).
RENDER_LOCK_SECONDS = 30

logger = logging.getLogger(__name__)


def _signer() -> signing.Signer:
    return signing.Signer(salt=TOKEN_SALT)


def ticket_token(number: str) -> str:
    return _signer().sign(number)


def ticket_number_from_token(token: str) -> str | None:
    """The ticket number a token carries, or None if it was not signed here (or was altered)."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return _signer().unsign(token)
    except signing.BadSignature:
        return None


@dataclass
class TicketPage:
    """Everything one printed ticket shows."""

    ticket: AdmissionTicket
    seats: list[Seat] = field(default_factory=list)
    token: str = ""
    qr_data_uri: str = ""
    qr_svg: str = ""
    photo_data_uri: str = ""

    @property
    def registration(self):
        return self.ticket.registration


def ticket_pages(tickets, *, inline_svg: bool = False, images: bool = True) -> list[TicketPage]:
    """Ticket pages with their seats, in the order of `tickets` (two queries for any number).

    `images=False` leaves out the QR image and the photo (see `ticket_pdf_cached`)."""
    tickets = list(tickets)
    by_registration: dict[int, TicketPage] = {}
    pages = []
    for ticket in tickets:
        token = ticket_token(ticket.number)
        if not images:
            page = TicketPage(ticket=ticket, token=token)
            by_registration[ticket.registration_id] = page
            pages.append(page)
            continue
        # Pages for the screen get an inline SVG (sharp at any zoom, allowed by the CSP); the PDF
        # gets a PNG, which WeasyPrint draws several times faster than an SVG path.
        if inline_svg:
            page = TicketPage(
                ticket=ticket, token=token, qr_svg=qr_svg(token, label="准考证二维码")
            )
        else:
            png = qr_png(token, box_size=QR_BOX_SIZE)
            page = TicketPage(
                ticket=ticket,
                token=token,
                qr_data_uri="data:image/png;base64," + base64.b64encode(png).decode(),
            )
        page.photo_data_uri = photo_data_uri(ticket.registration.photo)
        by_registration[ticket.registration_id] = page
        pages.append(page)
    seats = (
        Seat.objects.filter(registration_id__in=by_registration)
        .select_related("sitting", "room")
        .order_by("sitting__date", "sitting__start_time", "sitting_id")
    )
    for seat in seats:
        by_registration[seat.registration_id].seats.append(seat)
    return pages


def tickets_queryset():
    return AdmissionTicket.objects.select_related(
        "registration__round", "registration__level", "registration__school_class"
    )


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported lazily: WeasyPrint loads Pango on import

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def tickets_pdf(*, plan: ExamPlan, tickets, chunk: int = PDF_CHUNK) -> bytes:
    """One PDF, one ticket per A4 page.

    WeasyPrint keeps a whole document's layout in memory (about 1.5 MB a ticket page), so more
    than `chunk` tickets are rendered `chunk` at a time and the pages joined with pypdf: memory
    stays that of one chunk however many tickets are printed.
    """
    tickets = list(tickets)
    context = {"plan": plan, "round": plan.round}
    if len(tickets) <= chunk:
        return render_pdf("exams/pdf/tickets.html", {**context, "pages": ticket_pages(tickets)})
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for start in range(0, len(tickets), chunk):
        part = render_pdf(
            "exams/pdf/tickets.html",
            {**context, "pages": ticket_pages(tickets[start : start + chunk])},
        )
        writer.append(PdfReader(io.BytesIO(part)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _page_images(page: TicketPage) -> None:
    png = qr_png(page.token, box_size=QR_BOX_SIZE)
    page.qr_data_uri = "data:image/png;base64," + base64.b64encode(png).decode()
    page.photo_data_uri = photo_data_uri(page.registration.photo)


def ticket_version(*, plan: ExamPlan, page: TicketPage) -> str:
    """A digest of everything one ticket shows: the page as rendered without its two images
    (name, ID, seats, rooms, times, rules, the template itself...), plus what stands for them:
    the QR's token and the photo's storage name (a new photo gets a new random name)."""
    html = render_to_string(PDF_TEMPLATE, {"plan": plan, "round": plan.round, "pages": [page]})
    photo = page.registration.photo.name if page.registration.photo else ""
    digest = hashlib.sha256()
    for part in (html, page.token, photo):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def ticket_pdf_key(*, registration_id: int, version: str) -> str:
    return f"ticket-pdf:{registration_id}:{version}"


def ticket_pdf_cached(*, plan: ExamPlan, ticket: AdmissionTicket, may_render=None) -> bytes | None:
    """One candidate's ticket PDF, rendered once per ticket version and then read from the cache.

    Rendering costs a WeasyPrint run (about 0.3 s of CPU); checking the version costs two queries
    and a template render (milliseconds). `may_render`, when given, is asked before a render (a
    rate limit); when it says no, None is returned and nothing is rendered. A cache that cannot
    be reached only costs the render.
    """
    (page,) = ticket_pages([ticket], images=False)
    key = ticket_pdf_key(
        registration_id=ticket.registration_id, version=ticket_version(plan=plan, page=page)
    )
    try:
        pdf = cache.get(key)
    except Exception:
        logger.warning("ticket cache unavailable; rendering")
        pdf = None
    if pdf is not None:
        return pdf
    # One render per link at a time: requests that arrive while it runs are answered "busy"
    # at once instead of each starting WeasyPrint (8 loops on a cold link were 8 renders).
    lock = f"{key}:rendering"
    try:
        locked = cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS)
    except Exception:
        locked = True  # no cache: no lock either; the rate limit still counts
    if not locked:
        return None
    try:
        if may_render is not None and not may_render():
            return None
        _page_images(page)
        pdf = render_pdf(PDF_TEMPLATE, {"plan": plan, "round": plan.round, "pages": [page]})
        try:
            cache.set(key, pdf, timeout=PDF_CACHE_SECONDS)
        except Exception:
            logger.warning("ticket cache unavailable; not kept")
    finally:
        try:
            cache.delete(lock)
        except Exception:
            logger.warning("ticket cache unavailable; render lock left to expire")
    return pdf
