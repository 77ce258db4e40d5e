"""Production middleware: a friendly 503 when the database is unreachable, real client addresses.

DatabaseUnavailableMiddleware
    A student who submits while PostgreSQL is down (restarting, failing over, network cut) must
    see a calm Chinese page telling them nothing was saved and to try again, not a 500. The
    submission service runs in one transaction, so a broken connection leaves no partial record;
    Django drops the broken connection at the end of the request (errors_occurred), so the next
    request reconnects by itself once the database is back.

    A view's OperationalError/InterfaceError is caught in process_exception. One raised by a
    middleware further in (the session store saving, for instance) has already been turned into
    a 500 response by Django when it reaches us, so a got_request_exception receiver marks the
    request and __call__ swaps that 500 for the 503 page.

TrustedProxyMiddleware
    Behind nginx every request comes from the proxy's address, so per-client rate limits would
    count the whole school as one client. When DJANGO_TRUSTED_PROXIES lists the proxies, the
    client address is taken from X-Forwarded-For, walking from the right past trusted hops (the
    left part of that header is whatever the client sent, so it is never believed blindly).
"""

import ipaddress
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger("kaowutong.availability")

RETRY_AFTER_SECONDS = 30
_FLAG = "_kwt_database_unavailable"
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _is_database_error(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def _flag_database_error(sender, request=None, **kwargs) -> None:
    if request is not None and _is_database_error(sys.exc_info()[1]):
        setattr(request, _FLAG, True)


got_request_exception.connect(_flag_database_error, dispatch_uid="kaowutong-database-unavailable")


def _content_security_policy() -> str:
    from csp.utils import build_policy

    return build_policy()


def service_unavailable_response() -> HttpResponse:
    """The 503 page, rendered without a request context: nothing here may touch the database."""
    body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Set here as well: when the page replaces a response on the way out, the clickjacking and
    # CSP middleware further in have already run.
    response["X-Frame-Options"] = "DENY"
    response["X-Content-Type-Options"] = "nosniff"
    policy = _content_security_policy()
    if policy:
        response["Content-Security-Policy"] = policy
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _FLAG, False) and response.status_code >= 500 and not settings.DEBUG:
            return service_unavailable_response()
        return response

    def process_exception(self, request, exception):
        if not _is_database_error(exception) or settings.DEBUG:
            return None
        # The exception text can quote SQL parameters (personal data): log only its type.
        logger.warning(
            "database unavailable: %s on %s %s",
            type(exception).__name__,
            request.method,
            request.path_info.split("/")[1] if request.path_info else "",
        )
        return service_unavailable_response()


def _networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = _networks(getattr(settings, "TRUSTED_PROXIES", []))

    def _trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    def __call__(self, request):
        if self.trusted:
            remote = _address(request.META.get("REMOTE_ADDR", ""))
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded and self._trusted(remote):
                for hop in reversed(forwarded.split(",")):
                    address = _address(hop)
                    if address is None:
                        break
                    if not self._trusted(address):
                        request.META["REMOTE_ADDR"] = str(address)
                        break
        return self.get_response(request)


REQUEST_TOO_LARGE = "请求内容过大，已被拒绝。请只提交页面上要求填写的内容；上传文件不能超过5MB。"


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds MAX_REQUEST_BODY_BYTES before reading it.

    Form fields are capped by DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB, a 400), but file parts are not
    counted there: without this cap a 500 MB upload to any form would be streamed to disk. The
    largest legitimate body is the finance office's payment list (5 MB, see fees.payments).
    nginx's client_max_body_size should say the same at the edge (docs/deployment.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = getattr(settings, "MAX_REQUEST_BODY_BYTES", 6 * 1024 * 1024)

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            logger.warning("request body of %d bytes refused on %s", length, request.method)
            response = HttpResponse(
                REQUEST_TOO_LARGE, status=413, content_type="text/plain; charset=utf-8"
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)
