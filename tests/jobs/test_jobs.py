import pytest
from django.urls import reverse
from huey.exceptions import RetryTask

from common.errors import DomainError
from jobs.models import Job, JobState
from jobs.progress import progress_set
from jobs.services import JobNotRunnable, job_running, job_start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _start(user, key="k:1"):
    enqueued = []
    job = job_start(kind="test", key=key, label="测试任务", user=user, enqueue=enqueued.append)
    return job, enqueued


def test_job_start_twice_returns_the_first_job_and_enqueues_once(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first, enqueued = _start(user)
        second, enqueued_again = _start(user)
    assert first.pk == second.pk
    assert enqueued == [first.pk]
    assert enqueued_again == []
    assert Job.objects.count() == 1


def test_job_start_after_a_failed_job_starts_a_new_one():
    user = UserFactory()
    first, _ = _start(user)
    Job.objects.filter(pk=first.pk).update(state=JobState.FAILED)
    second, _ = _start(user)
    assert second.pk != first.pk


def test_job_running_retries_with_growing_delay_then_fails_with_the_reason():
    job, _ = _start(UserFactory())
    delays = []
    for _attempt in range(2):
        with pytest.raises(RetryTask) as retry, job_running(job.pk):
            raise RuntimeError("disk full")
        delays.append(retry.value.delay)
        job.refresh_from_db()
        assert job.state == JobState.QUEUED
        assert "disk full" in job.error
    assert delays == [10, 20]
    with job_running(job.pk):
        raise RuntimeError("disk full")
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.attempts == 3
    assert "任务多次执行出错" in job.error
    with pytest.raises(JobNotRunnable), job_running(job.pk):
        pass  # a late duplicate delivery of a finished job does nothing


def test_job_running_fails_at_once_on_a_domain_error():
    job, _ = _start(UserFactory())
    with job_running(job.pk):
        raise DomainError("没有可入账的记录。")
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == (JobState.FAILED, "没有可入账的记录。", 1)


def test_job_page_shows_progress_while_running_and_refreshes(client):
    user = UserFactory()
    job, _ = _start(user)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    progress_set(job.pk, 300, 1764)
    client.force_login(user)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已处理 300 / 1764" in page
    assert 'http-equiv="refresh"' in page
    Job.objects.filter(pk=job.pk).update(state=JobState.DONE, result="已入账 1764 笔缴费。")
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已入账 1764 笔缴费。" in page
    assert 'http-equiv="refresh"' not in page


def test_job_page_is_only_for_whoever_started_it(client):
    job, _ = _start(UserFactory())
    client.force_login(UserFactory())
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 302


def test_job_whose_queue_is_down_is_failed_with_a_message_not_a_500(
    django_capture_on_commit_callbacks,
):
    def broken(job_id):
        raise ConnectionError("redis down")

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="t", key="k:down", label="x", user=UserFactory(), enqueue=broken)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "任务队列暂时不可用" in job.error
