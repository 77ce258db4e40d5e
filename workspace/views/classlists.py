"""Class lists in the counselor workspace: upload, preview, apply, and who has not signed up.

Everything is scoped like the rest of the workspace: a counselor reaches only their own classes
(another class is a 404), 教务 every class, and only 教务 uploads many classes in one file.
"""

import tempfile

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from accounts import access
from accounts.access import access_required
from common.xlsx import Column, sheet_add, sheet_append
from registration.models import ClassListImport
from registration.services import classlists as service
from registration.workbook import MAX_UPLOAD_BYTES, TOO_LARGE
from workspace.selectors import classlists as selectors
from workspace.selectors import counselor as counselor_selectors
from workspace.views.counselor import (
    NO_SESSION,
    _class_or_404,
    _export_response,
    _picked_round,
    _round_query,
)

APPLIED = _("班级名单已导入：新增或更新 %(count)d 人。")
FILE_REQUIRED = _("请选择要上传的 Excel（.xlsx）文件。")


class ClassListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("班级名单（.xlsx）"),
        help_text=_("第一行为表头：学号、姓名、身份证号（身份证号列请设为文本格式）。"),
        error_messages={"required": FILE_REQUIRED},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, many: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if many:
            self.fields["file"].help_text = _(
                "第一行为表头：班级、学号、姓名、身份证号；班级名称须与系统中的班级名称一致。"
            )


def _preview(request, form, *, school_class):
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        form.add_error("file", TOO_LARGE)
        return None
    try:
        record = service.class_list_import_preview(
            file_name=upload.name,
            content=upload.read(),
            user=request.user,
            school_class=school_class,
            classes=counselor_selectors.classes_visible(request.user),
        )
    except service.ClassListError as exc:
        form.add_error("file", exc.message)
        return None
    return redirect("registration:class_list_import", pk=record.pk)


@require_http_methods(["GET", "POST"])
@access_required(access.uses_workspace)
def class_list_page(request, pk: int):
    school_class = _class_or_404(request, pk)
    exam_round = _picked_round(request)
    form = ClassListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _preview(request, form, school_class=school_class)
        if response is not None:
            return response
    entries = []
    if exam_round is not None:
        entries = list(selectors.list_with_signup(school_class=school_class, exam_round=exam_round))
    missing = [entry for entry in entries if not entry.signed_up]
    return render(
        request,
        "registration/counselor/class_list.html",
        {
            "school_class": school_class,
            "exam_round": exam_round,
            "no_session": NO_SESSION if exam_round is None else "",
            "entries": entries,
            "missing": missing,
            "form": form,
            "round_query": _round_query(request, exam_round),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@access_required(access.is_academic)
def class_list_upload_many(request):
    """教务: one file with many classes' lists (a 班级 column)."""
    form = ClassListUploadForm(request.POST or None, request.FILES or None, many=True)
    if request.method == "POST" and form.is_valid():
        response = _preview(request, form, school_class=None)
        if response is not None:
            return response
    imports = ClassListImport.objects.select_related("school_class", "uploaded_by")[:20]
    return render(
        request,
        "registration/counselor/class_list_upload.html",
        {"form": form, "imports": imports},
        status=400 if form.errors else 200,
    )


def _import_or_404(request, pk: int) -> ClassListImport:
    record = selectors.import_get_visible(user=request.user, pk=pk)
    if record is None:
        raise Http404
    return record


@require_GET
@access_required(access.uses_workspace)
def class_list_import(request, pk: int):
    record = _import_or_404(request, pk)
    rows = service.import_rows(record)
    counts = {}
    for row in rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    applicable = sum(row.outcome in (service.Outcome.NEW, service.Outcome.UPDATE) for row in rows)
    return render(
        request,
        "registration/counselor/class_list_preview.html",
        {
            "record": record,
            "rows": rows,
            "counts": sorted(counts.items()),
            "applicable": applicable,
            "back": _back_url(record),
        },
    )


def _back_url(record: ClassListImport) -> str:
    if record.school_class_id:
        return reverse("registration:class_list", args=[record.school_class_id])
    return reverse("registration:class_list_upload_many")


@require_POST
@access_required(access.uses_workspace)
def class_list_import_apply(request, pk: int):
    record = _import_or_404(request, pk)
    try:
        count = service.class_list_import_apply(record=record, user=request.user)
    except service.ClassListError as exc:
        messages.error(request, exc.message)
        return redirect("registration:class_list_import", pk=record.pk)
    messages.success(request, APPLIED % {"count": count})
    return redirect(_back_url(record))


MISSING_COLUMNS = [
    Column("序号", 6, lambda row: row[0], "int"),
    Column("学号", 16, lambda row: row[1].student_number, "code"),
    Column("姓名", 14, lambda row: row[1].name, "text"),
]


@require_GET
@access_required(access.uses_workspace)
def class_list_missing_export(request, pk: int):
    """The students of the class list who have not signed up for the round yet (.xlsx)."""
    school_class = _class_or_404(request, pk)
    exam_round = _picked_round(request)
    if exam_round is None:
        messages.error(request, NO_SESSION)
        return redirect("registration:class_list", pk=school_class.pk)
    workbook = Workbook(write_only=True)
    sheet = sheet_add(workbook, "未报名", MISSING_COLUMNS)
    entries = selectors.not_signed_up(school_class=school_class, exam_round=exam_round)
    for index, entry in enumerate(entries, 1):
        sheet_append(sheet, MISSING_COLUMNS, (index, entry))
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)

    class _Export:
        file = handle
        filename = f"{school_class.name}-未报名名单.xlsx"
        ascii_filename = f"class-{school_class.pk}-not-signed-up.xlsx"

    return _export_response(_Export)
