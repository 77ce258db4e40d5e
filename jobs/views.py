"""The progress page of a job: whoever started it (or a superuser) may watch it."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import access
from accounts.access import access_required
from jobs.models import Job
from jobs.progress import progress_get


@access_required(access.is_signed_in)
def job_detail(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    progress = None if job.finished else progress_get(job.pk)
    safe_return = url_has_allowed_host_and_scheme(job.return_url, allowed_hosts=None)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "progress": progress,
            "return_url": job.return_url if safe_return else "",
        },
    )
