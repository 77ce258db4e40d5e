"""Starting a job and recording what happened to it (the task wrapper's write path)."""

import contextlib
import logging
from collections.abc import Callable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huey.exceptions import RetryTask

from common.errors import DomainError
from jobs.models import ACTIVE_STATES, Job, JobState
from jobs.progress import progress_clear, progress_set

logger = logging.getLogger(__name__)

QUEUE_DOWN = _("任务队列暂时不可用，未开始执行，请稍后重试。")
FAILED_UNEXPECTEDLY = _("任务多次执行出错，已停止。原因：")


def job_start(
    *, kind: str, key: str, label: str, user, enqueue: Callable[[int], None], return_url: str = ""
) -> Job:
    """Create a queued job and enqueue it once the caller's transaction commits.

    A second click while the first job is queued, running or done returns that job instead
    (the database's unique constraint decides between two clicks at the same moment)."""
    existing = Job.objects.filter(key=key).exclude(state=JobState.FAILED).first()
    if existing is not None:
        return existing
    job = Job(kind=kind, key=key, label=label[:200], created_by=user, return_url=return_url)
    job.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        return Job.objects.exclude(state=JobState.FAILED).get(key=key)
    transaction.on_commit(lambda: _enqueue(job.pk, enqueue))
    return job


def _enqueue(job_id: int, enqueue: Callable[[int], None]) -> None:
    try:
        enqueue(job_id)
    except Exception as error:  # the queue is unreachable: say so on the job's page
        logger.exception("job %s could not be enqueued", job_id)
        _finish(job_id, state=JobState.FAILED, error=f"{QUEUE_DOWN}（{type(error).__name__}）")


@contextlib.contextmanager
def job_running(job_id: int, *, max_attempts: int = 3) -> Iterator[Callable[[int, int], None]]:
    """Run a job's body: marks it running, hands it a progress callback, then records its end.

    A DomainError (a Chinese message for the user) fails the job with that message at once. Any
    other exception is logged and the job retried with a growing delay (10 s, 20 s, …), up to
    `max_attempts` runs; after the last one it is failed and the page shows why."""
    updated = Job.objects.filter(pk=job_id, state__in=ACTIVE_STATES).update(
        state=JobState.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not updated:
        raise JobNotRunnable(job_id)
    attempts = Job.objects.values_list("attempts", flat=True).get(pk=job_id)

    def progress(done: int, total: int) -> None:
        progress_set(job_id, done, total)

    try:
        yield progress
    except DomainError as error:
        _finish(job_id, state=JobState.FAILED, error=str(error.message))
    except Exception as error:
        logger.exception("job %s failed on attempt %s", job_id, attempts)
        reason = f"{type(error).__name__}: {error}"
        if attempts >= max_attempts:
            _finish(job_id, state=JobState.FAILED, error=f"{FAILED_UNEXPECTEDLY}{reason}")
        else:
            _finish(job_id, state=JobState.QUEUED, error=reason)
            raise RetryTask(delay=10 * 2 ** (attempts - 1)) from error
    finally:
        progress_clear(job_id)


class JobNotRunnable(Exception):
    """The job is finished (or gone): a late retry or a duplicate delivery does nothing."""


def job_done(job_id: int, *, result: str) -> None:
    _finish(job_id, state=JobState.DONE, result=result)


def _finish(job_id: int, *, state: str, result: str = "", error: str = "") -> None:
    fields = {"state": state}
    if result:
        fields["result"] = result[:500]
    if error:
        fields["error"] = error[:500]
    if state in (JobState.DONE, JobState.FAILED):
        fields["finished_at"] = timezone.now()
    Job.objects.filter(pk=job_id).update(**fields)
