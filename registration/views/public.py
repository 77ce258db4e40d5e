"""Public pages: the current round's announcement, past rounds and one round's announcement."""

import functools

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import content_cache
from registration.selectors import public as selectors
from rounds import selectors as round_selectors

ROUND_NOT_FOUND = _("没有找到这个考试批次，它可能尚未发布或已被删除。")


def anonymous_page_cache(view):
    """Serve anonymous GETs of a public page from the cache for a few seconds.

    The announcement pages are the busiest and the most expensive to build (every section of the
    announcement, every module and fee); for a visitor who is not signed in they are the same for
    everyone. A signed-in user (whose navbar differs) or a request with pending messages is always
    rendered afresh. Entries are keyed by the path and the content generation, which every admin
    edit of what these pages show bumps (common.content_cache); query parameters outside a
    fixed allow-list bypass the cache, so random ones cannot flood it. docs/caching.md has more.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 30)
        cacheable = (
            seconds > 0
            and request.method == "GET"
            and content_cache.query_is_cacheable(request)
            and content_cache.anonymous_visitor(request)
        )
        if not cacheable:
            return view(request, *args, **kwargs)
        key = content_cache.page_key("public-page", request.path)
        hit = content_cache.cache_get(key)
        if hit is not None:
            content, status = hit
            return HttpResponse(content, status=status)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            content_cache.cache_set(key, (response.content, response.status_code), seconds)
        return response

    return wrapper


@anonymous_page_cache
def home(request):
    exam_round = round_selectors.round_current()
    announcement = selectors.announcement_get(exam_round) if exam_round else None
    return render(
        request,
        "registration/home.html",
        {"exam_round": exam_round, "announcement": announcement, "is_home": True},
    )


def round_list(request):
    now = timezone.now()
    rounds = [
        (exam_round, selectors.registration_state(exam_round, now=now))
        for exam_round in round_selectors.round_list_published()
    ]
    current = round_selectors.round_current()
    return render(
        request,
        "registration/public/round_list.html",
        {"rounds": rounds, "current": current},
    )


@anonymous_page_cache
def round_detail(request, slug: str):
    exam_round = round_selectors.round_get_published(slug=slug)
    if exam_round is None:
        raise Http404(ROUND_NOT_FOUND)
    current = round_selectors.round_current()
    return render(
        request,
        "registration/home.html",
        {
            "exam_round": exam_round,
            "announcement": selectors.announcement_get(exam_round),
            "is_home": False,
            "is_current": current is not None and current.pk == exam_round.pk,
        },
    )
