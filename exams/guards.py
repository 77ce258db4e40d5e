"""Edits that cannot break an exam plan: the checks a room or sitting change must pass.

Each check returns the Chinese reason a change is refused, or "" when it may be saved. Django
admin's forms (exams/admin.py) and the seat draw (exams/services.py) ask the same functions, so a
plan never holds more seats than a room has, a room that holds seats never leaves its sitting, one
room is never used by two sittings at the same time, and a published plan's times do not change
under the tickets candidates have downloaded.
"""

import datetime as dt

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from exams.models import ExamPlan, Room, Seat, Sitting


def room_capacity_problem(room: Room, capacity: int) -> str:
    """A room's seat count may not fall below the seats it holds in any sitting."""
    if room.pk is None:
        return ""
    used = (
        Seat.objects.filter(room=room)
        .values("sitting")
        .annotate(n=Count("id"), top=Max("number"))
        .order_by("-top")
        .first()
    )
    if used is None:
        return ""
    needed = max(used["n"], used["top"])
    if capacity >= needed:
        return ""
    return _("考场 %(room)s 已安排到 %(n)d 号座位，座位数不能少于 %(n)d。") % {
        "room": room,
        "n": needed,
    }


def sitting_rooms_problem(sitting: Sitting, *, round_id: int, rooms) -> str:
    """Rooms must be of the sitting's round, and a room holding seats may not leave it."""
    rooms = list(rooms)
    foreign = [room for room in rooms if room.round_id != round_id]
    if foreign:
        return _("考场 %(room)s 属于其他考试批次，不能用于本场次。") % {"room": foreign[0]}
    if sitting.pk is None:
        return ""
    kept = {room.pk for room in rooms}
    removed = (
        Seat.objects.filter(sitting=sitting)
        .exclude(room_id__in=kept)
        .values("room")
        .annotate(n=Count("id"))
        .order_by("room")
        .first()
    )
    if removed is None:
        return ""
    room = Room.objects.get(pk=removed["room"])
    return _("考场 %(room)s 在本场次已安排 %(n)d 名考生，不能移出；请先把他们调到其他考场。") % {
        "room": room,
        "n": removed["n"],
    }


def sitting_overlap_problem(
    sitting: Sitting, *, date: dt.date, start: dt.time, end: dt.time, rooms
) -> str:
    """One room, one sitting at a time: another sitting in any of `rooms` on `date` whose time
    overlaps [start, end) is refused, whichever round it belongs to."""
    room_ids = [room.pk for room in rooms]
    if not room_ids or start is None or end is None:
        return ""
    clash = (
        Sitting.objects.filter(
            rooms__in=room_ids, date=date, start_time__lt=end, end_time__gt=start
        )
        .exclude(pk=sitting.pk)
        .select_related("level")
        .prefetch_related("rooms")
        .first()
    )
    if clash is None:
        return ""
    shared = next(room for room in clash.rooms.all() if room.pk in room_ids)
    return _("考场 %(room)s 在该时间已用于“%(other)s”，同一考场不能同时安排两个场次。") % {
        "room": shared,
        "other": clash,
    }


def sitting_time_problem(sitting: Sitting, *, date: dt.date, start: dt.time, end: dt.time) -> str:
    """A published plan's times are on tickets candidates have downloaded: not changed here."""
    if sitting.pk is None:
        return ""
    if (sitting.date, sitting.start_time, sitting.end_time) == (date, start, end):
        return ""
    published = ExamPlan.objects.filter(
        round_id=sitting.round_id, published_at__isnull=False
    ).exists()
    if not published:
        return ""
    return _("考试安排已发布，考生已下载的准考证上印有考试时间，不能直接修改考试日期或时间。")
