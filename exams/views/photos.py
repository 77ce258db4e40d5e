"""教务 download the round's candidate photos as one zip named the way the platform expects."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from accounts import access
from accounts.access import access_required
from common.xlsx import content_disposition
from exams.photo_export import photos_zip
from rounds.models import ExamRound


@never_cache
@access_required(access.is_academic)
def round_photos_zip(request, pk: int):
    round = get_object_or_404(ExamRound, pk=pk)
    archive, _count = photos_zip(round)
    response = FileResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = content_disposition(
        f"证件照-{round.slug}.zip", f"photos-{round.slug}.zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
