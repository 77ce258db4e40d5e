"""One JSON object per log line, with personal data scrubbed as a last line of defence.

Code must not log ID numbers, phone numbers or self-service links in the first place; this
formatter still masks anything that looks like one (in the message and in exception text, where
a database error can quote the row it failed on), so a slip never reaches the log store.
"""

import datetime as dt
import json
import logging
import re

# ID-number-shaped: a run of 15 or more digits (18-character resident ID numbers end in a digit or
# X, old ones have 15 digits), also when letters stick to it ("/lookup/<ID>abc/") and also a
# 16- or 17-digit prefix of one (two digits short of a whole ID number is still one person).
_ID_NUMBER = re.compile(r"(?<!\d)\d{15,}[Xx]?(?!\d)")
# Mainland mobile numbers, optionally +86 prefixed.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
# The secret token of a candidate's self-service link /me/<pk>/<token>/, however the path is
# spelled: /ME/1/<token>/ and /me//1/<token>/ reach a 404 that logs the path.
_SELF_SERVICE = re.compile(r"(?i)(/+me/+\d+/+)[^/\s?#\"']+")
# Token-shaped anywhere else: 24+ URL-safe characters mixing upper case, lower case and a digit,
# "-" or "_" (a token_urlsafe secret almost always does; code identifiers, hex digests and
# CamelCase names do not).
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_-])")


def _mask_token(match: re.Match) -> str:
    text = match.group(0)
    if (
        any(c.isupper() for c in text)
        and any(c.islower() for c in text)
        and any(c.isdigit() or c in "-_" for c in text)
    ):
        return "[token]"
    return text


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text: str) -> str:
    text = _ID_NUMBER.sub("[id-number]", text)
    text = _PHONE.sub("[phone]", text)
    text = _SELF_SERVICE.sub(r"\1[token]", text)
    return _TOKEN.sub(_mask_token, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "process": record.process,
        }
        # Extra fields passed with logger.x(..., extra={...}); only plain scalars are kept.
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                if isinstance(value, bool | int | float):
                    entry[key] = value
                elif isinstance(value, str):
                    entry[key] = scrub(value)
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


_TRACEBACK = logging.Formatter()


class ScrubFilter(logging.Filter):
    """Scrubs every record on its way to a handler, whatever the formatter (plain or JSON).

    The message, and the traceback too: formatters print record.exc_text when it is set, so the
    scrubbed text is put there (the JSON formatter scrubs its own copy).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg = scrubbed
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class OneLineWarningFilter(logging.Filter):
    """Turns a record into one WARNING line without its traceback.

    For django.security.DisallowedHost: every request with a Host header we do not serve (scanners,
    a typo in DNS) was logged as a 15-line ERROR with a traceback of Django's own code. It is
    worth a line, not a page, and not an alert.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        message = record.getMessage().replace("\r", " ").replace("\n", " ")
        record.msg = message[:300]
        record.args = None
        return True
