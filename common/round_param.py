"""Which round a page was asked for, by slug: `?round=<slug>`, or the older `?session=<slug>`.

`session` was the round's name in code before the rename; links printed on posters and saved
in bookmarks still carry it, so both keep working (`round` wins when a link has both).
"""

PARAM = "round"
LEGACY_PARAM = "session"


def round_slug(query) -> str:
    """The requested round's slug from a query dict (`request.GET`), or "" when none was given."""
    return (query.get(PARAM) or query.get(LEGACY_PARAM) or "").strip()


def round_requested(query) -> bool:
    return bool(round_slug(query))
