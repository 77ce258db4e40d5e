"""Finance workspace (payment lists, manual payments, refunds) and round statistics."""

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from accounts import access
from accounts.access import access_required
from common.charts import cumulative_chart, hbar_chart
from common.xlsx import (
    Column,
    SheetNames,
    content_disposition,
    sheet_add,
    sheet_append,
    sheet_finish,
)
from jobs.models import Job, JobState
from jobs.services import job_start
from payments import imports as payments
from payments import ledger
from payments.forms import (
    ImportApplyForm,
    ManualPaymentForm,
    PaymentUploadForm,
    RefundForm,
    RegistrationNumberForm,
)
from payments.statistics import round_statistics
from payments.tasks import payment_import_apply_task
from registration.ledger.models import PaymentImport
from registration.models import Registration
from rounds.models import ExamRound
from rounds.selectors import round_of_request

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@access_required(access.is_finance)
@require_http_methods(["GET", "POST"])
def finance_home(request):
    form = PaymentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            payment_import = payments.payment_import_preview(
                file_name=upload.name, content=upload.read(), user=request.user
            )
        except payments.PaymentFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("fees:import_detail", pk=payment_import.pk)
    imports = PaymentImport.objects.select_related("uploaded_by")[:20]
    return render(
        request,
        "fees/finance_home.html",
        {"form": form, "imports": imports, "lookup_form": RegistrationNumberForm()},
    )


@access_required(access.may_view_payment_imports)
def import_detail(request, pk: int):
    payment_import = get_object_or_404(PaymentImport, pk=pk)
    rows = [payments.PaymentRow.from_json(data) for data in payment_import.rows]
    results = payments.reconcile(rows)
    counts = {}
    for result in results:
        counts[result.label] = counts.get(result.label, 0) + 1
    matched = sum(1 for r in results if payments.bookable(r.outcome, include_mismatched=False))
    mismatched = sum(1 for r in results if r.outcome == payments.Outcome.AMOUNT_MISMATCH)
    duplicates = sum(1 for r in results if r.outcome == payments.Outcome.DUPLICATE_ROW)
    return render(
        request,
        "fees/import_detail.html",
        {
            "payment_import": payment_import,
            "results": results,
            "problems": payment_import.problems,
            "counts": sorted(counts.items()),
            "matched": matched,
            "mismatched": mismatched,
            "duplicates": duplicates,
            "apply_form": ImportApplyForm(),
            "job": Job.objects.filter(key=f"payments.import_apply:{payment_import.pk}")
            .exclude(state=JobState.FAILED)
            .first(),
        },
    )


@access_required(access.may_record_payments)
@require_POST
def import_apply(request, pk: int):
    payment_import = get_object_or_404(PaymentImport, pk=pk)
    form = ImportApplyForm(request.POST)
    valid = form.is_valid()
    include_mismatched = valid and form.cleaned_data["include_mismatched"]
    include_duplicates = valid and form.cleaned_data["include_duplicates"]
    if payment_import.applied_at is not None:
        messages.error(request, payments.already_applied_message(payment_import))
        return redirect("fees:import_detail", pk=pk)
    job = job_start(
        kind="payments.import_apply",
        key=f"payments.import_apply:{payment_import.pk}",
        label=_("缴费名单入账：%(file)s") % {"file": payment_import.file_name},
        user=request.user,
        return_url=reverse("fees:import_detail", args=[pk]),
        enqueue=lambda job_id: payment_import_apply_task(
            job_id, payment_import.pk, request.user.pk, include_mismatched, include_duplicates
        ),
    )
    return redirect("jobs:detail", pk=job.pk)


@access_required(access.may_record_payments)
@require_http_methods(["GET", "POST"])
def registration_payment(request):
    number = (request.GET.get("number") or request.POST.get("number") or "").strip()
    registration = (
        Registration.objects.select_related("round", "level", "school_class")
        .prefetch_related("payments__recorded_by")
        .filter(number=number)
        .first()
        if number
        else None
    )
    manual_form = refund_form = None
    refundable = None
    if registration is not None:
        refundable = ledger.refundable(registration)
        action = request.POST.get("action")
        manual_form = ManualPaymentForm(
            request.POST if action == "pay" else None, registration=registration
        )
        refund_form = RefundForm(
            request.POST if action == "refund" else None, refundable=refundable
        )
        try:
            if action == "pay" and manual_form.is_valid():
                ledger.payment_record(
                    registration=registration, user=request.user, **manual_form.cleaned_data
                )
                messages.success(request, _("已登记缴费。"))
                return redirect(f"{request.path}?number={registration.number}")
            if action == "refund" and refund_form.is_valid():
                ledger.payment_refund(
                    registration=registration, user=request.user, **refund_form.cleaned_data
                )
                messages.success(request, _("已登记退费。"))
                return redirect(f"{request.path}?number={registration.number}")
        except ledger.LedgerError as error:
            form = manual_form if action == "pay" else refund_form
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
    elif number:
        messages.error(request, _("未找到该报名号。"))
    return render(
        request,
        "fees/registration_payment.html",
        {
            "registration": registration,
            "refundable": refundable,
            "manual_form": manual_form,
            "refund_form": refund_form,
            "lookup_form": RegistrationNumberForm(initial={"number": number}),
        },
    )


@access_required(access.may_read_statistics)
def statistics(request):
    exam_round = round_of_request(request)
    stats = round_statistics(exam_round) if exam_round else None
    context = {"exam_round": exam_round, "stats": stats, "rounds": ExamRound.objects.all()}
    if stats:
        context.update(
            {
                "level_chart": hbar_chart(stats.by_level),
                "major_chart": hbar_chart(stats.by_major),
                "class_chart": hbar_chart([(name, n) for name, n, _h in stats.by_class]),
                "day_chart": cumulative_chart(
                    [(day, total) for day, _n, total in stats.by_day],
                    until=exam_round.registration_deadline,
                ),
            }
        )
    return render(request, "fees/statistics.html", context)


def _first(row):
    return row[0]


def _second(row):
    return row[1]


def _third(row):
    return row[2]


@access_required(access.may_read_statistics)
def statistics_export(request):
    exam_round = round_of_request(request)
    if exam_round is None:
        return redirect("fees:statistics")
    stats = round_statistics(exam_round)
    workbook = Workbook(write_only=True)
    names = SheetNames()
    tables = [
        (
            "按等级",
            [Column("等级", 16, _first), Column("报名人数", 10, _second, "int")],
            stats.by_level,
        ),
        (
            "按专业",
            [Column("专业", 20, _first), Column("报名人数", 10, _second, "int")],
            stats.by_major,
        ),
        (
            "按班级",
            [
                Column("班级", 24, _first),
                Column("报名人数", 10, _second, "int"),
                Column("班级人数", 10, _third, "int"),
            ],
            stats.by_class,
        ),
        (
            "按日期",
            [
                Column("日期", 12, _first, "date"),
                Column("当日报名", 10, _second, "int"),
                Column("累计报名", 10, _third, "int"),
            ],
            stats.by_day,
        ),
        (
            "考生类别",
            [Column("类别", 12, _first), Column("报名人数", 10, _second, "int")],
            stats.by_type,
        ),
        (
            "收费项目",
            [
                Column("收费项目", 36, lambda r: r.name),
                Column("应缴人数", 10, lambda r: r.expected_count, "int"),
                Column("应收（元）", 12, lambda r: r.expected, "money"),
                Column("已缴人数", 10, lambda r: r.received_count, "int"),
                Column("实收（元）", 12, lambda r: r.received, "money"),
                Column("未收（元）", 12, lambda r: r.outstanding, "money"),
            ],
            stats.charge_items,
        ),
    ]
    for title, columns, rows in tables:
        sheet = sheet_add(workbook, names.make(title), columns)
        for row in rows:
            sheet_append(sheet, columns, row)
        sheet_finish(sheet, columns, len(rows))
    buffer = io.BytesIO()
    workbook.save(buffer)
    today = timezone.localdate()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        f"{exam_round.title}-统计-{today:%Y%m%d}.xlsx",
        f"statistics-{exam_round.slug}-{today:%Y%m%d}.xlsx",
    )
    return response
