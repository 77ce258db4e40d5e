"""Django admin for the exam plan: 教务 set up rooms and sittings here; seats are drawn on the
教务 pages (seats and draws are read-only here so every change goes through the services)."""

from functools import partial

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from exams.models import (
    AdmissionTicket,
    CheckIn,
    ExamPlan,
    Invigilation,
    Room,
    Seat,
    SeatDraw,
    Sitting,
)


@admin.register(ExamPlan)
class ExamPlanAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["round", "ticket_number_format", "published_at"]
    readonly_fields = ["published_at", "published_by"]


@admin.register(Room)
class RoomAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["round", "building", "name", "capacity"]
    list_filter = ["round"]
    search_fields = ["building", "name"]


class InvigilationInline(admin.TabularInline):
    model = Invigilation
    extra = 1
    autocomplete_fields = ["invigilator"]


@admin.register(Sitting)
class SittingAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["round", "level", "subject", "date", "start_time", "end_time"]
    list_filter = ["round", "level", "subject"]
    filter_horizontal = ["rooms"]
    inlines = [InvigilationInline]


class ReadOnlyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SeatDraw)
class SeatDrawAdmin(ReadOnlyAdmin):
    scope = UNSCOPED
    list_display = ["sitting", "method", "seed", "seated", "drawn_at", "drawn_by"]
    list_filter = ["method"]


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    scope = partial(access.registration_scope, path="registration")
    list_display = ["sitting", "room", "number", "registration", "move_reason"]
    list_filter = ["sitting__round", "room"]
    list_select_related = ["sitting__level", "room", "registration"]


@admin.register(AdmissionTicket)
class AdmissionTicketAdmin(ReadOnlyAdmin):
    scope = partial(access.registration_scope, path="registration")
    list_display = ["number", "registration", "issued_at"]
    search_fields = ["number"]
    list_select_related = ["registration"]


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    scope = partial(access.registration_scope, path="seat__registration")
    list_display = ["seat", "checked_in_at", "checked_in_by"]
    list_select_related = ["seat__room", "seat__registration", "checked_in_by"]


@admin.register(Invigilation)
class InvigilationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope = UNSCOPED
    list_display = ["sitting", "room", "invigilator"]
    autocomplete_fields = ["invigilator"]
