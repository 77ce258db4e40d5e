"""Class lists in the counselor workspace: upload, preview, apply, and who has not signed up.

Everything is scoped like the rest of the workspace: a counselor reaches only their own classes
(another class is a 404), 教务 every class, and only 教务 uploads many classes in one file.
"""

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
    _picked_round,
    _round_query,
    workbook_response,
)

APPLIED = _("班级名单已导入：新增或更新 %(count)d 人。")
FILE_REQUIRED = _("请选择要上传的 Excel（.xlsx）文件。")


class ClassListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("班级名单（.xlsx）"),
        help_text=_(
            "表头：学号、姓名、身份证号（也认“学生姓名”“身份证号码”“学籍号”等）；"
            "表头上方可有标题行；身份证号列请设为文本格式。"
        ),
        error_messages={"required": FILE_REQUIRED},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, many: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if many:
            self.fields["file"].help_text = _(
                "表头：班级、学号、姓名、身份证号；班级名称须与系统中的班级名称一致。"
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
    rows = service.import_rows(record, sees_other_classes=access.is_academic(request.user))
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
    return workbook_response(
        workbook,
        filename=f"{school_class.name}-未报名名单.xlsx",
        ascii_filename=f"class-{school_class.pk}-not-signed-up.xlsx",
    )


TEMPLATE_ROWS = 500  # rows pre-formatted as text in the ID and student-number columns


@require_GET
@access_required(access.uses_workspace)
def class_list_template(request):
    """An empty class list to fill in: the header the import expects, 学号 and 身份证号 formatted
    as text so Excel keeps every digit (an 18-digit number would lose its last three), and a
    sheet of instructions. `?many=1` (教务) adds the 班级 column for a many-class upload."""
    from openpyxl.styles import Font

    many = request.GET.get("many") == "1"
    headers = (["班级"] if many else []) + ["学号", "姓名", "身份证号"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "班级名单"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(headers, 1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 22 if header == "身份证号" else 14
        if header in ("学号", "身份证号"):
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    for line in (
        "每行一名学生，从第2行起填写；第1行表头请勿修改。",
        "学号：字母、数字或连字符，4至30位。",
        "姓名：与身份证一致。",
        "身份证号：18位，最后一位可为X；本列已设为文本格式，请直接输入或粘贴为“值”。",
        *(["班级：与系统中的班级名称完全一致。"] if many else []),
        "同一文件中完全相同的行按一人导入；学号或身份证号重复但内容不同的行不导入。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    return workbook_response(
        workbook,
        filename="班级名单模板（多班级）.xlsx" if many else "班级名单模板.xlsx",
        ascii_filename="class-list-template-many.xlsx" if many else "class-list-template.xlsx",
    )
