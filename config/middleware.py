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
    The list holds single addresses (the proxies' own), never networks: a network that also
    holds students' machines would let any of them send a rotating X-Forwarded-For and pass
    every rate limit. A network is refused at startup.

StaffSessionMiddleware
    Staff use shared office PCs. A signed-in session ends when the browser closes (its cookie has
    no expiry date) and after STAFF_SESSION_IDLE_MINUTES without a request (default 120), and
    every answer to a signed-in user or under a staff path carries Cache-Control: no-store, so
    neither the browser's cache nor its back button shows a roster to the next person. Anonymous
    sessions (students rarely have any) are left exactly as they were.
"""

import ipaddress
import logging
import sys
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

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


TRUSTED_PROXY_NOT_AN_ADDRESS = (
    "DJANGO_TRUSTED_PROXIES must list the reverse proxies' own addresses, one by one; "
    "{value!r} is a network of {size} addresses. Any machine in it could set X-Forwarded-For "
    "and pass every per-client limit (docs/security.md)."
)


def _networks(values: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip().strip("[]"), strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}") from None
        if network.num_addresses != 1:
            raise ImproperlyConfigured(
                TRUSTED_PROXY_NOT_AN_ADDRESS.format(value=value, size=network.num_addresses)
            )
        networks.append(network)
    return networks


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


STAFF_PATH_PREFIXES = ("/counselor/", "/stats/", "/finance/", "/admin/", "/accounts/")
# Seconds between two writes of the last-seen time: the idle clock is exact to this much.
STAFF_SESSION_TOUCH_SECONDS = 60
LAST_SEEN_KEY = "_kwt_staff_seen"

staff_logger = logging.getLogger("kaowutong.sessions")


def _idle_seconds() -> int:
    return int(getattr(settings, "STAFF_SESSION_IDLE_MINUTES", 120)) * 60


def _staff_session_start(session) -> None:
    # 0 = a cookie without an expiry date: it ends with the browser.
    session.set_expiry(0)
    session[LAST_SEEN_KEY] = int(time.time())


def _on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        _staff_session_start(request.session)


user_logged_in.connect(_on_login, dispatch_uid="kaowutong-staff-session-start")


class StaffSessionMiddleware:
    """Between SessionMiddleware and AuthenticationMiddleware (the user is read afterwards)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "STAFF_PATH_PREFIXES", STAFF_PATH_PREFIXES))

    def __call__(self, request):
        signed_in = False
        # Only requests that carry a session cookie: reading request.session otherwise would add
        # "Vary: Cookie" to every public page.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            session = request.session
            signed_in = SESSION_KEY in session
            if signed_in:
                self._check_idle(session)
        response = self.get_response(request)
        if signed_in or request.path.startswith(self.prefixes):
            add_never_cache_headers(response)
        return response

    def _check_idle(self, session) -> None:
        now = int(time.time())
        seen = session.get(LAST_SEEN_KEY)
        if not isinstance(seen, int):  # signed in before this middleware existed, or in a test
            _staff_session_start(session)
        elif now - seen > _idle_seconds():
            staff_logger.info("staff session ended after %d minutes idle", (now - seen) // 60)
            session.flush()  # signed out: the views below see an anonymous user
        elif now - seen >= STAFF_SESSION_TOUCH_SECONDS:
            session[LAST_SEEN_KEY] = now


DRAIN_FACTOR = 4
DRAIN_CHUNK_BYTES = 64 * 1024


def _drain(stream, length: int) -> None:
    if stream is None:
        return
    remaining = length
    try:
        while remaining > 0:
            chunk = stream.read(min(DRAIN_CHUNK_BYTES, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
    except OSError:
        return  # the client went away: nothing to answer


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds MAX_REQUEST_BODY_BYTES before reading it.

    Form fields are capped by DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB; RequestDataTooBig, answered
    with the same 413 page by handler400), but file parts are not counted there: without this
    cap a 500 MB upload to any form would be streamed to disk. The limit is settings.UPLOAD_MAX_MB
    (a 48 MP phone photo fits); nginx's shipped client_max_body_size says the same at the edge.
    The answer is a Chinese page with a link back to the form (never bare text, never a 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BODY_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            from registration.views.errors import request_too_large

            logger.warning("request body of %d bytes refused on %s", length, request.method)
            response = request_too_large(request)
            # Answered before the clickjacking and CSP middleware further in: set here.
            response["X-Frame-Options"] = "DENY"
            policy = _content_security_policy()
            if policy:
                response["Content-Security-Policy"] = policy
            # A browser shows the answer only once it has sent its body: a body up to a few
            # times the limit (a photo a little too large) is read and dropped, in chunks, so
            # the student sees this page rather than "connection reset". Anything larger is not
            # worth reading: gunicorn closes the connection on this header (runserver, wsgiref,
            # refuses hop-by-hop headers from an application: it answered a 500).
            if length <= DRAIN_FACTOR * self.limit:
                _drain(request.META.get("wsgi.input"), length)
            elif request.META.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
                response["Connection"] = "close"
            return response
        return self.get_response(request)
