"""content_cache.ProcessMemo: served only under the count of content edits it was stored with."""

from common.content_cache import ProcessMemo, process_memos_clear


def test_a_value_is_served_only_under_its_own_count():
    memo = ProcessMemo()
    memo.set("class-a", "link", 7, 60)
    assert memo.get("class-a", 7) == "link"
    assert memo.get("class-a", 8) is None  # content was edited since
    assert memo.get("class-a", None) is None  # the count is unknown: nothing is trusted
    assert memo.get("class-b", 7) is None


def test_a_value_read_under_an_unknown_count_is_not_kept():
    memo = ProcessMemo()
    memo.set("class-a", "link", None, 60)
    assert memo.get("class-a", None) is None


def test_the_memo_stays_bounded_and_clears_with_the_others():
    memo = ProcessMemo(max_entries=3)
    for serial in range(10):
        memo.set(serial, serial, 1, 60)
    assert len(memo._entries) <= 3
    assert memo.get(9, 1) == 9  # the newest is always kept
    process_memos_clear()
    assert memo.get(9, 1) is None


def test_a_value_expires_like_a_cache_entry(monkeypatch):
    import time

    memo = ProcessMemo()
    memo.set("class-a", "link", 7, 60)
    memo.set("class-b", "link", 7, 0)  # the cache is off: nothing is kept
    assert memo.get("class-b", 7) is None
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 59)
    assert memo.get("class-a", 7) == "link"
    monkeypatch.setattr(time, "monotonic", lambda: now + 61)
    assert memo.get("class-a", 7) is None
