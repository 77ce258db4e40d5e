"""Read-side queries for the registration app."""

from django.utils import timezone

from registration.models import ExamSession


def session_current() -> ExamSession | None:
    """The open round if there is one, else the latest published round."""
    today = timezone.localdate()
    sessions = ExamSession.objects.published().prefetch_related("levels")
    return sessions.open_on(today).first() or sessions.first()
