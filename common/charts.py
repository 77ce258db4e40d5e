"""Small server-rendered SVG charts: numbers in, coordinates out, drawn by templates.

No JavaScript and no inline styles are needed, so the pages keep a strict content security policy.
"""

import datetime as dt

WIDTH = 440
ROW_HEIGHT = 26
LABEL_WIDTH = 112


def hbar_chart(items: list[tuple[str, int]]) -> dict | None:
    """Horizontal bars with a label left of each bar and its value right of it."""
    if not items:
        return None
    biggest = max(value for _, value in items) or 1
    area = WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, (label, value) in enumerate(items):
        y = 6 + index * ROW_HEIGHT
        width = round(area * value / biggest, 1)
        bars.append(
            {
                "label": label if len(label) <= 10 else label[:9] + "…",
                "title": label,
                "value": value,
                "y": y,
                "text_y": y + 15,
                "width": width,
                # Bar length in 5 % steps, for HTML bars drawn with CSS classes (no inline style).
                "pct": 5 * round(20 * value / biggest),
                "value_x": LABEL_WIDTH + 8 + width + 4,
            }
        )
    return {
        "width": WIDTH,
        "height": 12 + len(items) * ROW_HEIGHT,
        "label_x": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH + 8,
        "bars": bars,
    }


def cumulative_chart(points: list[tuple[dt.date, int]], *, until: dt.date | None = None) -> dict:
    """A step line of a running total per day; the x axis reaches the deadline when given."""
    if not points:
        return {}
    left, right, top, bottom = 44, WIDTH - 12, 12, 170
    first = points[0][0]
    last = max(points[-1][0], until or points[-1][0])
    span = max((last - first).days, 1)
    biggest = max(value for _, value in points) or 1

    def x(day: dt.date) -> float:
        return round(left + (right - left) * (day - first).days / span, 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - top) * value / biggest, 1)

    coords = []
    previous = 0
    for day, value in points:
        coords.append(f"{x(day)},{y(previous)}")
        coords.append(f"{x(day)},{y(value)}")
        previous = value
    # The line stops at the last day with data: nothing is known about the days after it.
    return {
        "width": WIDTH,
        "height": bottom + 30,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "points": " ".join(coords),
        "max": biggest,
        "max_y": y(biggest),
        "first_label": f"{first:%m-%d}",
        "last_label": f"{last:%m-%d}",
        "deadline_x": x(until) if until else None,
        "label_y": bottom + 18,
    }
