"""教务 pages of the archive: archive a finished round, download its export, see the purges."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.access import access_required
from common.xlsx import content_disposition
from rounds.models import ExamRound
from rounds.selectors import round_of_request

from .models import RoundArchive
from .selectors import round_unfinished
from .services import ArchiveError, round_archive

ARCHIVED = _("已归档“%(title)s”：报名、成绩和证书从此只读，归档文件已生成。")
NO_ROUND = _("还没有考试批次。")


@access_required(access.is_academic)
def archive_home(request):
    exam_round = round_of_request(request)
    if exam_round is None:
        return render(request, "exams/staff/empty.html", {"message": NO_ROUND})
    return render(
        request,
        "archive/home.html",
        {
            "round": exam_round,
            "rounds": ExamRound.objects.all(),
            "problems": [] if exam_round.is_archived else round_unfinished(exam_round),
            "archive": RoundArchive.objects.filter(exam_round=exam_round).first(),
            "purges": exam_round.purges.all()[:10],
        },
    )


@access_required(access.is_academic)
@require_POST
def archive_round(request, pk: int):
    exam_round = get_object_or_404(ExamRound, pk=pk)
    back = f"{reverse('archive:home')}?round={exam_round.slug}"
    try:
        round_archive(
            exam_round=exam_round, user=request.user, reason=request.POST.get("reason", "")
        )
    except ArchiveError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, ARCHIVED % {"title": exam_round.title})
    return redirect(back)


@access_required(access.is_academic)
def archive_download(request, pk: int):
    record = RoundArchive.objects.select_related("exam_round").filter(exam_round_id=pk).first()
    if record is None or not record.file or not record.file.storage.exists(record.file.name):
        raise Http404
    response = FileResponse(record.file.open("rb"), content_type="application/zip")
    exam_round = record.exam_round
    response["Content-Disposition"] = content_disposition(
        f"归档-{exam_round.title}.zip", f"archive-{exam_round.slug}.zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
