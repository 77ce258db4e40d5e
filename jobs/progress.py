"""Progress of a running job, kept in the task queue's result store (Redis or its SQLite file).

That store is outside the database transaction the job runs in, so the progress page sees the
counts while the job's rows are still uncommitted.
"""

from huey.contrib.djhuey import HUEY


def _key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def progress_set(job_id: int, done: int, total: int) -> None:
    HUEY.put(_key(job_id), (done, total))


def progress_get(job_id: int) -> tuple[int, int] | None:
    value = HUEY.get(_key(job_id), peek=True)
    return tuple(value) if value else None


def progress_clear(job_id: int) -> None:
    HUEY.get(_key(job_id), peek=False)
