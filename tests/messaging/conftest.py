"""The workspace's fixtures (counselor, class, registrations) and a fake SMS provider."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.workspace.conftest import (  # noqa: F401
    academic,
    counselor,
    exam_round,
    make_registration,
    other_counselor,
    own_class,
    own_registration,
    roles,
)

# Ports the outbox's test servers use (fake SMS provider, SMTP); the first free one is taken.
TEST_PORTS = range(8830, 8860)


def _bind_first_free(handler):
    for port in TEST_PORTS:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            continue
    raise RuntimeError("no free port for the fake SMS provider")


def free_port() -> int:
    import socket

    for port in TEST_PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class FakeAliyunSms:
    """A local stand-in for dysmsapi.aliyuncs.com: records each SendSms query, answers OK (or
    the configured failure for the next `fail_next` requests)."""

    def __init__(self):
        self.requests: list[dict[str, str]] = []
        self.fail_next = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                fake.requests.append(query)
                if fake.fail_next:
                    fake.fail_next -= 1
                    status, body = (
                        400,
                        {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发限流"},
                    )
                else:
                    status, body = (
                        200,
                        {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(fake.requests)}"},
                    )
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = _bind_first_free(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_sms(settings):
    fake = FakeAliyunSms()
    settings.SMS_ENDPOINT = fake.url
    settings.SMS_ACCESS_KEY_ID = "test-key"
    settings.SMS_ACCESS_KEY_SECRET = "test-secret"
    settings.SMS_SIGN_NAME = "考务通"
    yield fake
    fake.close()


@pytest.fixture
def sms_templates(db):
    from messaging.models import MessageTemplate

    MessageTemplate.objects.update(sms_template_code="SMS_100001")
