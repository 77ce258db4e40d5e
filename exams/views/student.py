"""The candidate's admission ticket behind their private self-service link."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from common.ratelimit import rate_limit_hit
from common.xlsx import content_disposition
from exams import selectors, tickets
from registration.selectors import student as registration_selectors


def _ticket_or_404(pk: int, token: str):
    registration = registration_selectors.registration_by_link(pk, token)
    if registration is None:
        raise Http404
    ticket = selectors.ticket_of_registration(registration=registration)
    if ticket is None:
        raise Http404
    return registration, ticket


@never_cache
def ticket_page(request, pk: int, token: str):
    """The ticket as a web page: WeChat's in-app browser blocks downloads, this always shows."""
    registration, ticket = _ticket_or_404(pk, token)
    plan = selectors.plan_for_round(registration.round)
    page = tickets.ticket_pages([ticket], inline_svg=True)[0]
    user_agent = request.headers.get("User-Agent", "")
    return render(
        request,
        "exams/student/ticket.html",
        {
            "page": page,
            "plan": plan,
            "registration": registration,
            "exam_round": registration.round,
            "in_wechat": "MicroMessenger" in user_agent,
        },
    )


# Renders of one private link's ticket PDF (cache misses only: a cached ticket costs nothing).
# A ticket changes rarely (a seat moved, a photo replaced); a loop that keeps it uncached does not.
RENDER_LIMIT_PER_LINK = 10
RENDER_WINDOW_SECONDS = 10 * 60
RENDERS_LIMITED = _("准考证正在生成，或生成过于频繁，请稍后再试。如需打印，可先打开网页版准考证。")


@never_cache
def ticket_pdf(request, pk: int, token: str):
    registration, ticket = _ticket_or_404(pk, token)
    plan = selectors.plan_for_round(registration.round)

    def may_render() -> bool:
        return not rate_limit_hit(
            scope="ticket-pdf-render",
            key=str(registration.pk),
            limit=RENDER_LIMIT_PER_LINK,
            window_seconds=RENDER_WINDOW_SECONDS,
        )

    pdf = tickets.ticket_pdf_cached(plan=plan, ticket=ticket, may_render=may_render)
    if pdf is None:
        response = render(
            request,
            "exams/student/ticket_busy.html",
            {
                "registration": registration,
                "exam_round": registration.round,
                "message": RENDERS_LIMITED,
            },
            status=429,
        )
        response["Retry-After"] = "10"
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"准考证-{ticket.number}.pdf", f"ticket-{ticket.number}.pdf"
    )
    return response
