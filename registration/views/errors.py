"""Friendly error pages in Chinese.

The 500 page is rendered without a request context: when the database is what failed, the
context processors (the logged-in user, messages) would fail again.
"""

import logging

from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.urls import Resolver404
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


def _safe_page(template_name: str, fallback: str, response_class, request=None) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render(None, request)
    except Exception:
        _logger.warning("error page %s could not be rendered", template_name)
        return response_class(fallback, content_type="text/plain; charset=utf-8")
    return response_class(body)


def bad_request(request, exception=None):
    return _safe_page("400.html", BAD_REQUEST_TEXT, HttpResponseBadRequest)


def permission_denied(request, exception=None):
    # With the request when that works (the navbar shows who is signed in); a failing context
    # processor (the database down) falls back to plain text rather than a 500.
    return _safe_page("403.html", FORBIDDEN_TEXT, HttpResponseForbidden, request)
