"""Refuse requests that carry NUL characters in their path or query string.

PostgreSQL text cannot hold NUL, so such a value reaching a query (a class code in a link, a
?session= slug) would raise an error instead of a clean "not found". Form fields are already
guarded by Django's CharField; this covers what comes through the URL.
"""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

NUL_REFUSED = "请求地址中含有无效字符。"


class NulByteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(_(NUL_REFUSED), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
