"""Public pages: the current round's announcement, past rounds and one round's announcement."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.selectors import public as selectors

ROUND_NOT_FOUND = _("没有找到这个考试批次，它可能尚未发布或已被删除。")


def home(request):
    session = selectors.session_current()
    announcement = selectors.announcement_get(session) if session else None
    return render(
        request,
        "registration/home.html",
        {"session": session, "announcement": announcement, "is_home": True},
    )


def round_list(request):
    now = timezone.now()
    rounds = [
        (session, selectors.registration_state(session, now=now))
        for session in selectors.session_list_published()
    ]
    current = selectors.session_current()
    return render(
        request,
        "registration/public/round_list.html",
        {"rounds": rounds, "current": current},
    )


def round_detail(request, slug: str):
    session = selectors.session_get_published(slug=slug)
    if session is None:
        raise Http404(ROUND_NOT_FOUND)
    current = selectors.session_current()
    return render(
        request,
        "registration/home.html",
        {
            "session": session,
            "announcement": selectors.announcement_get(session),
            "is_home": False,
            "is_current": current is not None and current.pk == session.pk,
        },
    )
