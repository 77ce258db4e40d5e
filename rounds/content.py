"""The database's count of content edits (rounds.models.ContentVersion): bump and read.

Both are on the busiest path: every content save bumps, every sign-up reads. They are written out
as SQL built from the model's names, once per database engine: through the ORM, building the
statement costs about ten times what the database takes to run it.
"""

import functools

from django.db import connection, transaction

from common import content_cache
from rounds.models import ContentVersion

ROW_ID = 1


@functools.cache
def _sql(vendor: str) -> tuple[str, str]:
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    value = connection.ops.quote_name(ContentVersion._meta.get_field("value").column)
    pk = connection.ops.quote_name(ContentVersion._meta.pk.column)
    # The database server's clock in microseconds: one clock for every application node.
    now = {
        "postgresql": "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
        "sqlite": "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)",
    }.get(vendor, "0")
    return (
        f"UPDATE {table} SET {value} = CASE WHEN {value} + 1 > {now} THEN {value} + 1 ELSE {now} "
        f"END WHERE {pk} = %s",
        f"SELECT {value} FROM {table} WHERE {pk} = %s",
    )


def content_version_bump() -> None:
    """Count one content edit, in the caller's transaction.

    The count goes up by one, and at least to the database server's current time in
    microseconds: it never comes back to a number it had before, even when a database is restored
    to an earlier count (a backup, a promoted replica) or the row is re-created, because the next
    edit moves it past every number any process may still remember (content_cache.ProcessMemo,
    docs/caching.md).
    """
    update, _select = _sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(update, [ROW_ID])
        if cursor.rowcount:
            return
        # The row is gone (a test database flushed): put it back, then count. Two transactions
        # doing this at once both insert-or-skip and both count: neither edit is lost.
        ContentVersion.objects.bulk_create(
            [ContentVersion(pk=ROW_ID, value=0)], ignore_conflicts=True
        )
        cursor.execute(update, [ROW_ID])


def content_version() -> int | None:
    """The current count, or None when the row is missing (then nothing cached is trusted)."""
    _update, select = _sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(select, [ROW_ID])
        row = cursor.fetchone()
    return row[0] if row else None


def content_changed() -> None:
    """For code that changes content without model signals (QuerySet.update, bulk_create, SQL):
    what a signal would have done, the database's count and the caches' generation."""
    content_version_bump()
    content_cache.bump()
    transaction.on_commit(content_cache.bump)
