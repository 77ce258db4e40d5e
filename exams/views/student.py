"""The candidate's admission ticket behind their private self-service link."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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


@never_cache
def ticket_pdf(request, pk: int, token: str):
    registration, ticket = _ticket_or_404(pk, token)
    plan = selectors.plan_for_round(registration.round)
    pdf = tickets.tickets_pdf(plan=plan, tickets=[ticket])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"准考证-{ticket.number}.pdf", f"ticket-{ticket.number}.pdf"
    )
    return response
