"""Service errors share one base: a Chinese message fit to show, and the form field it is about."""

import pytest

from common.errors import DomainError
from payments.imports import PaymentFileError
from payments.ledger import LedgerError
from registration.services.classlists import ClassListError
from registration.services.submission import AlreadyRegistered, SubmissionError
from registration.training.services import TrainingError
from workspace.services.review import ReviewError


@pytest.mark.parametrize(
    "error",
    [TrainingError, PaymentFileError, LedgerError, ClassListError, SubmissionError, ReviewError],
)
def test_service_errors_are_domain_errors_with_a_message_and_a_field(error):
    raised = error("金额须大于 0 元。")
    assert isinstance(raised, DomainError)
    assert raised.message == str(raised) == "金额须大于 0 元。"
    assert raised.field is None


def test_submission_error_keeps_its_field_and_reasons():
    raised = AlreadyRegistered("已报名", field="id_number", reasons=("一", "二"))
    assert (raised.field, raised.reasons) == ("id_number", ("一", "二"))
    assert isinstance(LedgerError("x", field="amount"), ValueError)  # callers that catch it
