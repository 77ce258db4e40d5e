"""Odd input gets a clear 400 or 405 before (or instead of) a 500.

NulByteMiddleware
    Refuses requests that carry NUL characters in their path or query string. PostgreSQL text
    cannot hold NUL, so such a value reaching a query (a class code in a link, a ?session= slug)
    would raise an error instead of a clean "not found". Form fields are already guarded by
    Django's CharField; this covers what comes through the URL.

OddInputMiddleware
    - Methods: only GET, HEAD and POST reach a view. OPTIONS, TRACE and anything else get a 405
      naming those three in Allow (without it, a view without a method decorator answered
      OPTIONS and TRACE with the page itself).
    - HEAD is answered like GET (views declare GET; RFC 9110 says HEAD is the same without the
      body), and the body is dropped on the way out.
    - A JSON body with a lone surrogate ("\\ud800" is valid JSON but no valid text: it cannot be
      encoded as UTF-8, so the first query or response that touches it raises) gets a 400.
    - A UnicodeError escaping a view is input that could not be decoded or encoded: a 400 with a
      Chinese message, logged as one warning line, never a 500.
"""

import json
import logging
import re

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("kaowutong.requests")

NUL_REFUSED = "请求地址中含有无效字符。"
METHOD_REFUSED = "不支持此请求方式。请用浏览器打开页面，并通过页面上的按钮提交。"
UNDECODABLE_REFUSED = (
    "请求中含有无法识别的字符，已被拒绝。请检查填写的内容（不要粘贴特殊符号）后重新提交。"
)

ALLOWED_METHODS = ("GET", "HEAD", "POST")
# Only scan JSON bodies up to this size; larger ones are refused by the views themselves.
JSON_SCAN_MAX_BYTES = 64 * 1024
# A \uD800-\uDFFF escape: the only way JSON can carry a surrogate (UTF-8 bytes cannot).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class NulByteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(_(NUL_REFUSED), content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _wants_json(request) -> bool:
    return request.content_type == "application/json" or request.path.startswith(
        "/eligibility/api/"
    )


def bad_input_response(request, message: str = UNDECODABLE_REFUSED) -> HttpResponse:
    """A 400 in the request's own language: JSON for the API, plain text otherwise."""
    if _wants_json(request):
        return JsonResponse(
            {"error": _(message)}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponseBadRequest(_(message), content_type="text/plain; charset=utf-8")


def _has_lone_surrogate(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def _json_body_has_lone_surrogate(request) -> bool:
    if request.method != "POST" or request.content_type != "application/json":
        return False
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > JSON_SCAN_MAX_BYTES:
            return False
        body = request.body
    except Exception:  # too big, unreadable: the view answers that in its own words
        return False
    if not _SURROGATE_ESCAPE.search(body):
        return False
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON: the view says so
    return _has_lone_surrogate(data)


class OddInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        method = request.method
        if method not in ALLOWED_METHODS:
            response = HttpResponse(
                _(METHOD_REFUSED), status=405, content_type="text/plain; charset=utf-8"
            )
            response["Allow"] = ", ".join(ALLOWED_METHODS)
            return response
        if method == "HEAD":
            request.method = "GET"
        elif _json_body_has_lone_surrogate(request):
            logger.warning("request refused: lone surrogate in a JSON body")
            return bad_input_response(request)
        response = self.get_response(request)
        if method == "HEAD":
            request.method = "HEAD"
            _drop_body(response)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, UnicodeError):
            # Only the type: the exception text quotes the offending input.
            logger.warning("request refused: %s on %s", type(exception).__name__, request.method)
            return bad_input_response(request)
        return None


def _drop_body(response) -> None:
    """Keep the headers (Content-Length included) of the GET answer, send no body."""
    if response.streaming:
        response.streaming_content = iter(())
    else:
        response.content = b""
