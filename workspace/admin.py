"""The 教务 back office: rounds (with their fees, training and rules inlined) and registrations.

Here rather than in `rounds` or `registration` because these admins compose apps of every layer
below (fees, courses, review, the payment ledger, exports).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.admin_scope import UNSCOPED, ScopedAdminMixin
from common.history_admin import ReadOnlyHistoryAdmin
from courses.models import TrainingModule
from fees.models import FeeItem
from payments.admin import FeeItemAdminForm
from registration.admin import PersonFieldsMixin
from registration.models import Registration
from rounds.models import ROUND_TEXT_FIELDS, ExamRound
from workspace.exchange import registry as exchange_registry
from workspace.exchange import services as exchange_services
from workspace.models import ExchangeColumn, ExchangeLayout, PersonalDataExport

OUT_OF_SCOPE = _("不在您负责的班级内，未取消。")


class RegistrationAdminForm(PersonFieldsMixin, forms.ModelForm):
    class Meta:
        model = Registration
        # The admin passes the fields it shows; these are the ones normalised here.
        fields = ["name", "phone", "student_number"]


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    form = FeeItemAdminForm
    extra = 0
    fields = [
        "level",
        "candidate_type",
        "kind",
        "training_option",
        "amount",
        "class_hours",
        "charge_item_name",
        "is_active",
        "confirm_deactivate",
        "change_reason",
    ]


class TrainingModuleInline(admin.TabularInline):
    model = TrainingModule
    extra = 0
    fields = ["level", "number", "title", "schedule"]
    show_change_link = True


class SessionCloneForm(forms.Form):
    title = forms.CharField(label=_("新批次名称"), max_length=120)
    slug = forms.SlugField(label=_("新批次代码"), max_length=40)
    # <input type="date"> reads only ISO dates: "2027/12/27" (the locale's format) shows blank.
    registration_opens = forms.DateField(
        label=_("报名开始日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    registration_deadline = forms.DateField(
        label=_("报名截止日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    exam_period = forms.CharField(label=_("考试时间"), max_length=120)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if ExamRound.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("该批次代码已被使用。"))
        return slug

    def clean(self):
        cleaned = super().clean()
        opens, deadline = cleaned.get("registration_opens"), cleaned.get("registration_deadline")
        if opens and deadline and opens > deadline:
            self.add_error("registration_deadline", _("截止日期不能早于开始日期。"))
        return cleaned


@admin.register(ExamRound)
class ExamRoundAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    actions = ["clone_action"]
    list_display = [
        "title",
        "occupation",
        "registration_deadline",
        "is_published",
        "accepts_students",
        "accepts_social",
    ]
    list_filter = ["is_published", "occupation", "accepts_social"]
    search_fields = ["title", "slug", "occupation"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/clone/",
                self.admin_site.admin_view(self.clone_view),
                name="rounds_examround_clone",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("复制为新批次（草稿）"), permissions=["add"])
    def clone_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个要复制的批次。"), messages.WARNING)
            return None
        return HttpResponseRedirect(
            reverse("admin:rounds_examround_clone", args=[queryset.get().pk])
        )

    def clone_view(self, request, pk: int):
        from registration.services.rounds import round_clone

        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        source = get_object_or_404(ExamRound, pk=pk)
        next_year = source.registration_deadline.year + 1
        form = SessionCloneForm(
            request.POST or None,
            initial={
                "title": f"{source.title}（副本）",
                "slug": f"{source.slug}-copy",
                "registration_deadline": source.registration_deadline.replace(year=next_year),
                "exam_period": source.exam_period,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                exam_round = round_clone(source=source, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("已复制为草稿批次“%(title)s”，核对后勾选“已发布”即可对外开放。")
                    % {"title": exam_round.title},
                    messages.SUCCESS,
                )
                # Retakes: the source round's candidates who failed one subject. A link only:
                # results sits above this app (docs/results.md, "Retakes").
                retakes = reverse("results:retakes")
                self.message_user(
                    request,
                    format_html(
                        _(
                            "补考：新批次发布并开始报名后，可在"
                            '<a href="{}">“{}”的补考名单</a>'
                            "向一科不合格的考生发出补考资格（补考费在本批次费用项目中设置）。"
                        ),
                        f"{retakes}?{urlencode({'round': source.slug, 'target': exam_round.slug})}",
                        source.title,
                    ),
                    messages.INFO,
                )
                return HttpResponseRedirect(
                    reverse("admin:rounds_examround_change", args=[exam_round.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("复制批次：%(title)s") % {"title": source.title},
            "form": form,
            "source": source,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rounds/examround/clone.html", context)

    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["levels"]
    inlines = [FeeItemInline, TrainingModuleInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "occupation", "organizer", "is_published", "levels"]}),
        (
            _("报名与考试"),
            {
                "fields": [
                    "registration_opens",
                    "registration_deadline",
                    "exam_period",
                    "exam_location",
                ]
            },
        ),
        (
            _("补充资料与证件照"),
            {"fields": ["supplement_deadline", "photo_width", "photo_height", "photo_max_kb"]},
        ),
        (
            _("缴费方式与截止"),
            {
                "fields": [
                    "payment_channel",
                    "payment_link",
                    "payment_deadline",
                    "payment_reminder_days",
                    "supplement_reminder_days",
                ]
            },
        ),
        (
            _("报名政策"),
            {
                "fields": [
                    "accepts_students",
                    "accepts_social",
                    "social_refusal_reason",
                    "next_round_note",
                ]
            },
        ),
        (_("个人信息保存"), {"fields": ["retention_days"]}),
        (
            _("咨询"),
            {
                "fields": [
                    "consultation_qq",
                    "consultation_days",
                    "consultation_start",
                    "consultation_end",
                    "consultation_note",
                ]
            },
        ),
        (
            _("公告正文"),
            {
                "classes": ["collapse"],
                "fields": list(ROUND_TEXT_FIELDS),
            },
        ),
    ]


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = access.registration_scope
    form = RegistrationAdminForm
    actions = ["confirm_action", "mark_paid_action", "cancel_action", "export_action"]
    list_display = [
        "number",
        "name",
        "masked_id",
        "round",
        "level",
        "school_class",
        "status",
        "review_status",
        "payment_status",
        "created_at",
    ]
    list_filter = [
        "round",
        "level",
        "status",
        "review_status",
        "payment_status",
        "candidate_type",
        "school_class__major",
        "school_class",
    ]
    search_fields = ["number", "name", "student_number"]
    list_select_related = ["round", "level", "school_class"]
    # What decides eligibility, price and payment changes only through the services (the student
    # flow, review, finance); admin may correct contact details and review notes.
    readonly_fields = [
        "round",
        "number",
        "candidate_type",
        "level",
        "school_class",
        "id_number",
        "gender",
        "birth_date",
        "status",
        "registration_fee_item",
        "training_fee_item",
        "quoted_registration_fee",
        "quoted_training_fee",
        "quoted_charge_items",
        "matched_condition_code",
        "matched_condition_text",
        "declared_facts",
        "payment_status",
        "paid_amount",
        "paid_on",
        "reviewed_at",
        "reviewed_by",
        "consent_at",
        "created_at",
        "updated_at",
        "cancelled_at",
    ]
    # The photo is shown and returned on the counselor's page; it has no public URL to link to.
    exclude = ["token", "photo"]

    def has_add_permission(self, request):
        return False  # registrations come only through the sign-up flow and its checks

    date_hierarchy = "created_at"

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return obj.masked_phone

    # docs/roles.md: full ID numbers and phones (change form, history, export) need the
    # `workspace.export_personal_data` permission (superusers, 教务); finance and other staff
    # see both masked, in the form, the history and the export.
    _FULL_PERSONAL = {"id_number": "masked_id", "phone": "masked_phone"}

    def _sees_full_personal_data(self, request) -> bool:
        return access.may_see_personal_data(request.user)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._sees_full_personal_data(request):
            return fields
        return [self._FULL_PERSONAL.get(name, name) for name in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self._sees_full_personal_data(request):
            return readonly
        return [self._FULL_PERSONAL.get(name, name) for name in readonly] + ["masked_phone"]

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        if self._sees_full_personal_data(request):
            return
        from common.privacy import mask_id_number, mask_phone

        masks = {
            str(Registration._meta.get_field("id_number").verbose_name): mask_id_number,
            str(Registration._meta.get_field("phone").verbose_name): mask_phone,
        }
        for record in historical_records:
            for change in getattr(record, "history_delta_changes", None) or []:
                mask = masks.get(str(change["field"]))
                if mask:
                    change["old"] = mask(str(change["old"] or ""))
                    change["new"] = mask(str(change["new"] or ""))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._sees_full_personal_data(request):
            raise PermissionDenied  # an old version shows the full ID number and phone
        return super().history_form_view(request, object_id, version_id, extra_context)

    @admin.action(description=_("确认所选报名"), permissions=["change"])
    def confirm_action(self, request, queryset):
        from workspace.services.review import ReviewError, registration_confirm

        done, failed = 0, []
        for registration in queryset.select_related("school_class"):
            try:
                registration_confirm(registration=registration, reviewer=request.user)
                done += 1
            except ReviewError as error:
                failed.append(f"{registration.number}：{error.message}")
        self.message_user(request, _("已确认 %(n)d 份报名。") % {"n": done}, messages.SUCCESS)
        for line in failed[:20]:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("为所选报名登记缴清余款（记入收退费台账）"), permissions=["change"])
    def mark_paid_action(self, request, queryset):
        """Books what each quoted item still owes as a ledger payment dated today."""
        from payments.ledger import LedgerError, item_due, payment_record

        if not request.user.has_perm("registration.add_payment"):
            self.message_user(request, _("您没有登记缴费的权限。"), messages.ERROR)
            return
        today = timezone.localdate()
        recorded = 0
        for registration in queryset.filter(status="active"):
            for item in registration.quoted_charge_items:
                due = item_due(registration, item["name"])
                if due <= 0:
                    continue
                try:
                    payment_record(
                        registration=registration,
                        charge_item_name=item["name"],
                        amount=due,
                        paid_on=today,
                        note=str(_("后台批量登记缴清")),
                        user=request.user,
                    )
                    recorded += 1
                except LedgerError as error:
                    self.message_user(
                        request, f"{registration.number}：{error.message}", messages.WARNING
                    )
        self.message_user(request, _("已登记 %(n)d 笔缴费。") % {"n": recorded}, messages.SUCCESS)

    @admin.action(description=_("取消所选报名（已收款项转为待退费）"), permissions=["change"])
    def cancel_action(self, request, queryset):
        from registration.services.submission import SubmissionError, registration_cancel_by_staff

        done = 0
        for registration in queryset.select_related("school_class"):
            # The same scope as review (confirm_action checks it in its service).
            if not access.may_review(request.user, registration):
                self.message_user(
                    request, f"{registration.number}：{OUT_OF_SCOPE}", messages.WARNING
                )
                continue
            try:
                registration_cancel_by_staff(registration=registration)
                done += 1
            except SubmissionError as error:
                self.message_user(
                    request, f"{registration.number}：{error.message}", messages.WARNING
                )
        self.message_user(request, _("已取消 %(n)d 份报名。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("导出所选报名（Excel）"), permissions=["view"])
    def export_action(self, request, queryset):
        """The selected rows in scope; full ID numbers and phones only with the permission,
        masked otherwise; every export leaves a `PersonalDataExport` row."""
        import dataclasses
        import io
        import itertools

        from openpyxl import Workbook

        from common.privacy import mask_id_number, mask_phone
        from common.xlsx import (
            content_disposition,
            sheet_add,
            sheet_append,
            sheet_finish,
        )
        from workspace.exports import roster_columns

        counter = itertools.count(1)
        columns = roster_columns(lambda _registration: next(counter))
        full = self._sees_full_personal_data(request)
        if not full:
            masks = {
                "身份证号": lambda r: mask_id_number(r.id_number),
                "手机号": lambda r: mask_phone(r.phone),
            }
            columns = [
                dataclasses.replace(column, get=masks[column.header])
                if column.header in masks
                else column
                for column in columns
            ]
        workbook = Workbook(write_only=True)
        sheet = sheet_add(workbook, "报名", columns)
        rows = 0
        registrations = queryset.select_related(
            "level", "school_class__major", "training_fee_item"
        ).order_by("school_class__name", "number")
        for registration in registrations.iterator(chunk_size=2000):
            sheet_append(sheet, columns, registration)
            rows += 1
        sheet_finish(sheet, columns, rows)
        PersonalDataExport.objects.create(
            user=request.user, what=str(_("后台：所选报名")), rows=rows, full=full
        )
        buffer = io.BytesIO()
        workbook.save(buffer)
        stamp = f"{timezone.localdate():%Y%m%d}"
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition(
            f"所选报名-{stamp}.xlsx", f"registrations-{stamp}.xlsx"
        )
        return response


# --- National-platform exchange layouts -----------------------------------------------------------


class ExchangeColumnForm(forms.ModelForm):
    field_key = forms.ChoiceField(label=_("字段"))

    class Meta:
        model = ExchangeColumn
        fields = ["position", "header", "field_key", "width"]

    kind: str | None = None  # set per layout by ExchangeColumnInline.get_formset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = exchange_registry.choices_of(self.kind)
        current = self.initial.get("field_key") or getattr(self.instance, "field_key", "")
        if current and current not in {key for key, _label in choices}:
            # A key no longer registered stays visible, so saving shows the model's message.
            choices = [(current, current), *choices]
        self.fields["field_key"].choices = [("", "---------"), *choices]


class ExchangeColumnInline(admin.TabularInline):
    model = ExchangeColumn
    form = ExchangeColumnForm
    extra = 0
    ordering = ["position", "id"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(
            "KindColumnForm", (formset.form,), {"kind": obj.kind if obj is not None else None}
        )
        return formset


@admin.register(ExchangeLayout)
class ExchangeLayoutAdmin(ScopedAdminMixin, ReadOnlyHistoryAdmin):
    scope = UNSCOPED
    inlines = [ExchangeColumnInline]
    actions = ["copy_action", "make_default_action"]
    list_display = ["name", "kind", "province", "is_default", "column_count", "updated_at"]
    list_filter = ["kind", "is_default", "province"]
    search_fields = ["name", "province", "source"]
    fields = ["kind", "name", "province", "is_default", "source", "copied_from"]
    readonly_fields = ["copied_from"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(column_total=Count("columns"))

    @admin.display(description=_("列数"), ordering="column_total")
    def column_count(self, obj) -> int:
        return obj.column_total

    def get_readonly_fields(self, request, obj=None):
        # A layout's kind decides which fields its columns may use: fixed once created.
        return [*self.readonly_fields, "kind"] if obj is not None else self.readonly_fields

    @admin.action(description=_("复制为新模板"), permissions=["add"])
    def copy_action(self, request, queryset):
        for layout in queryset:
            copy = exchange_services.layout_copy(layout=layout, user=request.user)
            self.message_user(
                request,
                _(
                    "已复制“{original}”为“{copy}”，原模板未改动；请修改新模板的名称、省份和列。"
                ).format(original=layout.name, copy=copy.name),
                messages.SUCCESS,
            )

    @admin.action(description=_("设为默认模板"), permissions=["change"])
    def make_default_action(self, request, queryset):
        if queryset.values("kind").distinct().count() != queryset.count():
            self.message_user(request, _("每种类型只能选一个模板设为默认。"), messages.WARNING)
            return
        for layout in queryset:
            exchange_services.layout_make_default(layout=layout, user=request.user)
        self.message_user(request, _("已设为默认模板。"), messages.SUCCESS)


@admin.register(PersonalDataExport)
class PersonalDataExportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The audit of personal-data exports: read-only, for admins and 教务."""

    scope = access.audit_scope
    list_display = ["exported_at", "user", "what", "rows", "full"]
    list_filter = ["full", "what"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
