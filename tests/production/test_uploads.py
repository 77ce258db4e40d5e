"""Photo uploads against gunicorn with DEBUG off: every decode has a memory bound (issue 24).

One node (2 workers × 4 threads, the production thread count) on a SQLite file prepared the way
`make setup` prepares it. Each attack is sent to 补充资料 (the one place images are decoded) through
a private link anyone can get by signing up, and the workers' peak resident memory (VmHWM in
/proc) is read afterwards: it is what the kernel had to find for that worker, whatever Python
freed later.

Figures before the fix (docs/security.md): eight 7000×7000 RGBA PNGs at once were all accepted,
20–26 s each, and took the two workers to 1.3 and 2.5 GB; an 11 MB 48 MP phone JPEG was cut off
at the 6 MB body limit.
"""

import io
import re
import threading
import time

import pytest
from PIL import Image

from tests.idnumbers import make_id_number
from tests.production.conftest import demo_sqlite_copy, student_form
from tests.production.nodes import (
    Browser,
    free_ports,
    node_start,
    peak_rss_mb,
    worker_pids,
)

WORKERS, THREADS = 2, 4
# What one worker may reach at its peak while decoding photos, whatever is sent: the app itself
# (about 100 MB after start) plus one bounded decode at a time.
# Raised from 260 after the stop-23 merges: on PostgreSQL, with the outbox, jobs and device-cookie
# apps installed, the workers peaked at 283 and 225 MB in CI. The attack it guards against took
# workers to 1.3 and 2.5 GB, so this still fails on an unbounded decode.
PEAK_RSS_BOUND_MB = 320


def photo_node_start(template, folder, *, extra_env=None, workers=WORKERS):
    path, code = demo_sqlite_copy(template, folder)
    node = node_start(
        port=free_ports(1)[0],
        database=f"sqlite:///{path}",
        redis="",
        log_dir=folder,
        workers=workers,
        threads=THREADS,
        extra_env=extra_env,
    )
    return node, code


@pytest.fixture(scope="module")
def photo_node(demo_sqlite_template, tmp_path_factory):
    node, code = photo_node_start(demo_sqlite_template, tmp_path_factory.mktemp("uploads"))
    try:
        yield node, code
    finally:
        node.stop()


_serial = iter(range(100, 490))


def private_link(node, code: str) -> str:
    """Sign a new student up through the class link; their private link's supplement page."""
    serial = next(_serial)
    browser = Browser()
    reply = browser.submit(
        f"{node.url}/r/{code}/", student_form(make_id_number(serial), serial=serial)
    )
    assert reply.status == 302, reply.body[-2000:]
    location = reply.headers["Location"]
    assert re.match(r"^/me/\d+/[^/]+/$", location), location
    return f"{node.url}{location}supplement/"


def upload(url: str, data: bytes, *, name: str = "photo.jpg", content_type="image/jpeg"):
    browser = Browser()
    token = browser.form_token(url)
    started = time.monotonic()
    reply = browser.upload(
        url,
        {"csrfmiddlewaretoken": token, "action": "photo"},
        {"photo": (name, data, content_type)},
    )
    return reply, time.monotonic() - started


@pytest.fixture(scope="module")
def png_bomb() -> bytes:
    """A 7000×7000 RGBA PNG (49 MP, under the old 50 MP cap): a few hundred KB on the wire."""
    buffer = io.BytesIO()
    Image.new("RGBA", (7000, 7000), (200, 30, 30, 128)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def phone_jpeg() -> bytes:
    """A 48 MP (8000×6000) JPEG of about 11 MB, as a phone camera writes one."""
    noise = Image.effect_noise((1600, 1200), 40).convert("L")
    image = Image.merge(
        "RGB", (noise, noise.rotate(90), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    ).resize((8000, 6000), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def peaks(node) -> list[float]:
    return [peak_rss_mb(pid) for pid in worker_pids(node)]


def parallel_uploads(links: list[str], data: bytes, name: str, content_type: str) -> list:
    replies: list = []
    lock = threading.Lock()

    def send(url: str) -> None:
        reply, seconds = upload(url, data, name=name, content_type=content_type)
        with lock:
            replies.append((reply.status, seconds, reply.body))

    threads = [threading.Thread(target=send, args=(url,)) for url in links]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return replies


def test_png_bombs_in_parallel_are_refused_from_the_header(photo_node, png_bomb):
    node, code = photo_node
    links = [private_link(node, code) for _ in range(8)]
    replies = parallel_uploads(links, png_bomb, "bomb.png", "image/png")
    worker_peaks = peaks(node)
    print(f"8 PNG bombs: peaks {worker_peaks} MB, replies {[r[:2] for r in replies]}")
    assert len(replies) == 8
    assert max(worker_peaks) < PEAK_RSS_BOUND_MB, worker_peaks
    for status, seconds, body in replies:
        assert status == 400, (status, body[-1500:])
        assert seconds < 5
        assert "PNG/WebP 图片不能超过 1600 万像素" in body


def test_the_worst_accepted_files_in_parallel_stay_within_the_memory_bound(photo_node):
    """16 MP RGBA PNGs (the largest decoded whole: 64 MB each), 8 at once on 8 threads."""
    node, code = photo_node
    buffer = io.BytesIO()
    Image.new("RGBA", (4000, 4000), (200, 30, 30, 128)).save(buffer, "PNG")
    links = [private_link(node, code) for _ in range(8)]
    replies = parallel_uploads(links, buffer.getvalue(), "worst.png", "image/png")
    worker_peaks = peaks(node)
    print(f"8 worst PNGs: peaks {worker_peaks} MB, replies {[r[:2] for r in replies]}")
    assert len(replies) == 8
    assert max(worker_peaks) < PEAK_RSS_BOUND_MB, worker_peaks
    for status, seconds, body in replies:
        # Saved (302), or told to retry on the form when no decode slot freed up in time.
        assert status in (302, 503), (status, body[-1500:])
        assert seconds < 15
        if status == 503:
            assert "系统繁忙，请稍后重试" in body and 'name="photo"' in body


def test_a_48_megapixel_phone_jpeg_is_accepted_within_the_bound(photo_node, phone_jpeg):
    node, code = photo_node
    assert 10_000_000 < len(phone_jpeg) < 13_000_000
    url = private_link(node, code)
    reply, seconds = upload(url, phone_jpeg)
    worker_peaks = peaks(node)
    print(f"48 MP JPEG: {reply.status} in {seconds:.2f}s, peaks {worker_peaks} MB")
    assert reply.status == 302, reply.body[-2000:]
    assert seconds < 10
    assert max(worker_peaks) < PEAK_RSS_BOUND_MB, worker_peaks
    page = Browser().request(url)
    assert 'id="current-photo"' in page.body


def test_a_body_over_the_upload_limit_gets_the_chinese_413_page_with_a_way_back(photo_node):
    from django.conf import settings

    node, code = photo_node
    url = private_link(node, code)
    reply, _ = upload(url, b"\xff\xd8" + b"\x00" * settings.MAX_REQUEST_BODY_BYTES)
    assert reply.status == 413
    assert reply.headers["Content-Type"].startswith("text/html")
    assert f"上传的文件不能超过 {settings.UPLOAD_MAX_MB} MB" in reply.body
    path = url.removeprefix(node.url)
    assert f'href="{path}"' in reply.body  # back to the form
    assert "Content-Security-Policy" in reply.headers


def test_uploads_wait_for_a_decode_slot_then_get_the_busy_form(
    demo_sqlite_template, tmp_path, phone_jpeg
):
    """One worker, one decode slot, no patience: of 6 uploads at once most are told to retry."""
    node, code = photo_node_start(
        demo_sqlite_template,
        tmp_path,
        extra_env={"PHOTO_DECODE_WAIT_SECONDS": "0.01"},
        workers=1,
    )
    try:
        links = [private_link(node, code) for _ in range(6)]
        replies = parallel_uploads(links, phone_jpeg, "phone.jpg", "image/jpeg")
    finally:
        node.stop()
    statuses = sorted(status for status, _, _ in replies)
    print(f"6 uploads, 1 slot, no wait: {statuses}")
    assert 302 in statuses and 503 in statuses, statuses
    assert set(statuses) <= {302, 503}
    for status, _, body in replies:
        if status == 503:
            assert "系统繁忙，请稍后重试" in body
            assert 'name="photo"' in body  # still the form
