"""Django admin for the exam plan: 教务 set up rooms and sittings here; seats are drawn on the
教务 pages (seats and draws are read-only here so every change goes through the services)."""

from functools import partial

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from exams import guards
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


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["round", "building", "name", "capacity"]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        problem = guards.room_capacity_problem(self.instance, capacity)
        if problem:
            raise forms.ValidationError(problem)
        return capacity


class SittingForm(forms.ModelForm):
    class Meta:
        model = Sitting
        fields = ["round", "level", "subject", "date", "start_time", "end_time", "rooms"]

    def clean(self):
        data = super().clean()
        exam_round, rooms = data.get("round"), data.get("rooms")
        if exam_round is None or rooms is None:
            return data
        problem = guards.sitting_rooms_problem(self.instance, round_id=exam_round.pk, rooms=rooms)
        if problem:
            self.add_error("rooms", problem)
        times = (data.get("date"), data.get("start_time"), data.get("end_time"))
        if None not in times:
            date, start, end = times
            for field, problem in (
                (
                    "rooms",
                    guards.sitting_overlap_problem(
                        self.instance, date=date, start=start, end=end, rooms=rooms
                    ),
                ),
                (
                    "date",
                    guards.sitting_time_problem(self.instance, date=date, start=start, end=end),
                ),
            ):
                if problem:
                    self.add_error(field, problem)
        return data


@admin.register(Room)
class RoomAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = RoomForm
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
    form = SittingForm
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
