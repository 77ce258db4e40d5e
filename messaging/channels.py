"""Delivery channels beyond the inbox: e-mail (Django's backends) and SMS (Aliyun's SendSms).

A channel has `name`, `rate_per_second`, `quiet_until(now)` (the end of its quiet hours, or
None) and `send(message) -> provider id`; `send` raises DeliveryError with a reason staff can
read. WeChat subscription messages would be one more class here (docs/messaging.md: the
official account's app id and secret, a template id per event, and the candidate's openid,
collected when they follow the account): the outbox, the worker and the staff pages need no
change.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")


class DeliveryError(Exception):
    """The provider refused or could not be reached; the message says why (no personal data)."""


class EmailChannel:
    name = "email"

    @property
    def rate_per_second(self) -> int:
        return settings.EMAIL_RATE_PER_SECOND

    def quiet_until(self, now: dt.datetime) -> dt.datetime | None:
        return None

    def send(self, message) -> str:
        body = message.body + (f"\n\n{message.link}" if message.link else "")
        try:
            EmailMessage(subject=message.title, body=body, to=[message.address]).send()
        except (OSError, ValueError) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        return ""


def sms_quiet_until(now: dt.datetime) -> dt.datetime | None:
    """No SMS between 22:00 and 08:00 Asia/Shanghai (SMS_QUIET_HOURS): returns the morning
    hour at which it may go, or None outside quiet hours."""
    if not settings.SMS_QUIET_HOURS:
        return None
    start, end = (int(part) for part in settings.SMS_QUIET_HOURS.split("-"))
    local = now.astimezone(SHANGHAI)
    if end <= local.hour < start:
        return None
    morning = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(morning, dt.time(end, 0), tzinfo=SHANGHAI)


def _percent(value: str) -> str:
    # Aliyun's POP signature uses RFC 3986 encoding with '~' kept.
    return urllib.parse.quote(value, safe="~")


def aliyun_signed_query(params: dict[str, str], secret: str) -> str:
    """Aliyun RPC signature (SignatureVersion 1.0, HMAC-SHA1) over the sorted query."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"GET&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    signature = base64.b64encode(digest).decode()
    return f"Signature={_percent(signature)}&{canonical}"


class AliyunSmsChannel:
    """Aliyun SMS (短信服务, Dysmsapi 2017-05-25 SendSms): template code + signature name."""

    name = "sms"

    @property
    def rate_per_second(self) -> int:
        return settings.SMS_RATE_PER_SECOND

    def quiet_until(self, now: dt.datetime) -> dt.datetime | None:
        return sms_quiet_until(now)

    def send(self, message) -> str:
        params = {
            "AccessKeyId": settings.SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.address,
            "RegionId": "cn-hangzhou",
            "SignName": settings.SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": message.sms_template_code,
            "TemplateParam": json.dumps(message.sms_params, ensure_ascii=False),
            "Timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        url = (
            f"{settings.SMS_ENDPOINT}?{aliyun_signed_query(params, settings.SMS_ACCESS_KEY_SECRET)}"
        )
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                answer = json.loads(response.read(64 * 1024) or b"{}")
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read(64 * 1024) or b"{}")
            except ValueError:
                raise DeliveryError(f"HTTP {error.code}") from error
        except (OSError, ValueError) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        if answer.get("Code") != "OK":
            raise DeliveryError(f"{answer.get('Code', '?')}: {answer.get('Message', '')}"[:300])
        return str(answer.get("BizId", ""))[:100]


def sms_enabled() -> bool:
    return bool(settings.SMS_ACCESS_KEY_ID and settings.SMS_SIGN_NAME)


CHANNELS = {"email": EmailChannel(), "sms": AliyunSmsChannel()}
