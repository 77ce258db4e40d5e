"""Staff sign-in throttling: OWASP's device cookies plus a cap per client address.

The scheme (OWASP's "Slow Down Online Guessing Attacks with Device Cookies") is
django-device-cookies'; the cap on failures per address across accounts is django-axes'. This
module joins them and tells
the truth about a lock-out (settings: config/settings/base.py; docs/security.md "Staff sign-in"):

- **this browser** is locked for one account: it signed in to that account before (it carries the
  account's device cookie) and then failed DEVICE_COOKIE_ATTEMPTS_PER_PERIOD times;
- **unknown browsers** are locked for one account: browsers without its device cookie, wherever
  they are, failed that many times together; browsers that signed in to it before still can;
- **this address** is locked for unknown browsers: AXES_FAILURE_LIMIT failures from browsers
  without a device cookie, whatever the accounts; browsers that signed in before still can.

A locked attempt is not counted, so it never extends a lock-out.
"""

import dataclasses
import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import render
from django.utils import timezone
from django_device_cookies import utils as device_cookies
from django_device_cookies.backends import DeviceCookieBackend as PackageBackend
from django_device_cookies.models import FailedAuthenticationAttempt

from common.ratelimit import client_ip

LOCK_TEMPLATE = "registration/login_locked.html"


@dataclasses.dataclass(frozen=True)
class Lock:
    kind: str  # "device", "account" or "address"
    username: str
    until: datetime.datetime | None  # None: not known (the records were removed meanwhile)
    limit: int
    minutes: int


class DeviceCookieBackend(PackageBackend):
    """django-device-cookies' gate (first in AUTHENTICATION_BACKENDS). Its get_user asks the
    backends after it, and django-axes's has no get_user: skip such backends."""

    def get_user(self, user_id):
        for backend in auth.get_backends():
            if isinstance(backend, PackageBackend) or not hasattr(backend, "get_user"):
                continue
            user = backend.get_user(user_id)
            if user is not None:
                return user
        return None


def policy() -> Lock:
    """The per-account limit as configured, for the sign-in page."""
    return Lock(
        kind="account",
        username="",
        until=None,
        limit=settings.DEVICE_COOKIE_ATTEMPTS_PER_PERIOD,
        minutes=_minutes(settings.DEVICE_COOKIE_PERIOD),
    )


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, as every other limit reads it (common.ratelimit),
    never a client-written header; None when there is none (Django's test login), which django-axes
    stores as NULL."""
    return request.META.get("REMOTE_ADDR") or None


def known_browser(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: does this browser carry a valid device cookie for the account it
    signs in to? Such a browser is neither counted nor locked per address."""
    bucket = device_cookies.get_bucket(request, credentials or {})
    return bool(bucket and bucket.device)


def _minutes(period: datetime.timedelta) -> int:
    return int(period.total_seconds() // 60)


def device_lock(request, credentials) -> Lock:
    """The lock-out django-device-cookies refused this sign-in with: this browser's, or every
    unknown browser's for the account, and when it ends."""
    bucket = device_cookies.get_bucket(request, credentials)
    period = settings.DEVICE_COOKIE_PERIOD
    limit = settings.DEVICE_COOKIE_ATTEMPTS_PER_PERIOD
    until = None
    if bucket is not None:
        times = sorted(
            FailedAuthenticationAttempt.objects.filter_recent(bucket).values_list("time", flat=True)
        )
        # The lock lasts while `limit` failures are younger than the period.
        if len(times) >= limit:
            until = times[len(times) - limit] + period
    return Lock(
        kind="device" if bucket is not None and bucket.device else "account",
        username=str(credentials.get("username") or ""),
        until=until,
        limit=limit,
        minutes=_minutes(period),
    )


def address_lock(request, credentials) -> Lock:
    """The lock-out of this address for unknown browsers (django-axes), and when it ends: the
    cool-off after the last counted failure."""
    cool_off = settings.AXES_COOLOFF_TIME
    last = (
        AccessAttempt.objects.filter(ip_address=client_ip(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return Lock(
        kind="address",
        username=str((credentials or {}).get("username") or ""),
        until=last + cool_off if last is not None else None,
        limit=settings.AXES_FAILURE_LIMIT,
        minutes=_minutes(cool_off),
    )


def lock_response(request, lock: Lock):
    until = timezone.localtime(lock.until) if lock.until is not None else None
    return render(
        request,
        LOCK_TEMPLATE,
        {"lock": lock, "until": until, "address": client_ip(request)},
        status=429,
    )


def address_lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lock page for an address locked for unknown browsers."""
    return lock_response(request, address_lock(request, credentials))


def locked_out(form) -> bool:
    """Whether a sign-in form was refused by a device-cookie lock-out (not a wrong password)."""
    return form.has_error(NON_FIELD_ERRORS, "locked_out")
