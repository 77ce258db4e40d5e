"""Payment-list booking on the task queue: a 5,000-row list takes longer than a web request may."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from jobs.services import JobNotRunnable, job_done, job_running
from payments import imports
from registration.ledger.models import PaymentImport


@db_task(name="payments.import_apply")
def payment_import_apply_task(
    job_id: int, import_id: int, user_id: int, include_mismatched: bool, include_duplicates: bool
) -> None:
    try:
        with job_running(job_id) as progress:
            count = imports.payment_import_apply(
                payment_import=PaymentImport.objects.get(pk=import_id),
                user=get_user_model().objects.get(pk=user_id),
                include_mismatched=include_mismatched,
                include_duplicates=include_duplicates,
                progress=progress,
            )
            job_done(job_id, result=_("已入账 %(count)d 笔缴费。") % {"count": count})
    except JobNotRunnable:
        return
