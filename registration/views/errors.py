"""Friendly error pages in Chinese.

The 500 page is rendered without a request context: when the database is what failed, the
context processors (the logged-in user, messages) would fail again.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.functional import Promise


def page_not_found(request, exception=None):
    # A view's own Http404("…") message is shown; the resolver's (a dict of tried patterns) is not.
    reason = ""
    if exception is not None and not isinstance(exception, Resolver404) and exception.args:
        message = exception.args[0]
        if isinstance(message, str | Promise):
            reason = str(message)
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render({"reason": reason}, request))


def server_error(request):
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render())


# handler400 and handler403 run when something about the request is already wrong (a Host not
# allowed, a body in an encoding Django refuses, a permission check that failed), so they must
# not raise: Django's defaults run the CSRF check again (requires_csrf_token), which reads the
# same undecodable body and turns the 400 into a 500. These render without a request context
# and fall back to plain text if even that fails.
_logger = logging.getLogger("kaowutong.requests")
BAD_REQUEST_TEXT = "请求无法处理：内容的格式或编码无效。请返回上一页，检查填写的内容后重新提交。"
FORBIDDEN_TEXT = "没有权限访问此页面。如需开通，请联系系统管理员。"


def _safe_page(
    template_name: str, fallback: str, response_class, request=None, context=None
) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render(context, request)
    except Exception:
        _logger.warning("error page %s could not be rendered", template_name)
        return response_class(fallback, content_type="text/plain; charset=utf-8")
    return response_class(body)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return _safe_page("400.html", BAD_REQUEST_TEXT, HttpResponseBadRequest)


REQUEST_TOO_LARGE = "提交的内容过大，没有保存"


def request_too_large(request) -> HttpResponse:
    """The 413 page: what the limit is (settings.UPLOAD_MAX_MB) and a link back to the form.

    The body was not read (or not all of it), so nothing of it is shown; the link is the page the
    form was posted to (every upload form posts to its own page), so a GET brings the student
    back to it with what was saved. Rendered without a request context, like the 400 page.
    """
    path = request.path if request.path.startswith("/") and "//" not in request.path else "/"
    try:
        body = loader.get_template("413.html").render(
            {
                "heading": REQUEST_TOO_LARGE,
                "upload_max_mb": settings.UPLOAD_MAX_MB,
                "back_url": path,
            }
        )
    except Exception:
        _logger.warning("error page 413.html could not be rendered")
        body = f"{REQUEST_TOO_LARGE}：上传的文件不能超过 {settings.UPLOAD_MAX_MB} MB。"
        return HttpResponse(body, status=413, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, status=413, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request, exception=None):
    # With the request when that works (the navbar shows who is signed in); a failing context
    # processor (the database down) falls back to plain text rather than a 500.
    # The access gate (accounts.access) says in Chinese who may open the page; a bare
    # PermissionDenied (Django admin, CSRF-less checks) shows the generic text.
    reason = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str | Promise):
        reason = str(exception.args[0])
    return _safe_page(
        "403.html", FORBIDDEN_TEXT, HttpResponseForbidden, request, {"reason": reason}
    )


CSRF_FALLBACK = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面已过期</title>'
    "<p>页面已过期，本次提交没有保存。请返回上一页，刷新后重新提交。</p></html>"
)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: the page expired, in Chinese, without losing what was typed.

    A refused sign-up gets its form back, filled with what was posted and carrying a fresh token
    (nothing is saved from the refused request); anything else gets a page in the site's layout
    explaining what happened. This view must not fail itself: each step falls back to a simpler
    page.
    """
    from registration.views.student import signup_form_after_csrf_failure

    _logger.warning("CSRF check failed on %s: %s", request.method, reason)
    try:
        match = resolve(request.path_info)
        response = signup_form_after_csrf_failure(
            request, url_name=match.url_name, kwargs=match.kwargs
        )
        if response is not None:
            return response
    except Exception:
        _logger.exception("the sign-up form could not be shown again after a CSRF failure")
    try:
        template = loader.get_template("403_csrf.html")
        return HttpResponseForbidden(template.render({"retry_url": request.path}, request))
    except Exception:
        _logger.exception("the CSRF failure page could not be rendered")
        return HttpResponseForbidden(CSRF_FALLBACK)
