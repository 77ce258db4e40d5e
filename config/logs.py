"""One JSON object per log line, with personal data scrubbed as a last line of defence.

Code must not log ID numbers, phone numbers or self-service links in the first place; this
formatter still masks anything that looks like one (in the message and in exception text, where
a database error can quote the row it failed on), so a slip never reaches the log store.
"""

import datetime as dt
import json
import logging
import re

# 18-character resident ID numbers (17 digits + digit or X) and 15-digit old ones.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally +86 prefixed.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
# The secret token of a candidate's self-service link /me/<pk>/<token>/.
_SELF_SERVICE = re.compile(r"(/me/\d+/)[^/\s?\"']+")

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text: str) -> str:
    text = _ID_NUMBER.sub("[id-number]", text)
    text = _PHONE.sub("[phone]", text)
    return _SELF_SERVICE.sub(r"\1[token]", text)


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


class ScrubFilter(logging.Filter):
    """Scrubs every record on its way to a handler, whatever the formatter (plain or JSON)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg = scrubbed
            record.args = None
        return True
