from django.http import QueryDict

from common.round_param import round_requested, round_slug


def test_round_slug_reads_the_new_round_parameter():
    assert round_slug(QueryDict("round=dzsws-2022-1")) == "dzsws-2022-1"


def test_round_slug_still_reads_the_legacy_session_parameter():
    assert round_slug(QueryDict("session=dzsws-2022-1")) == "dzsws-2022-1"


def test_round_slug_prefers_round_over_session():
    assert round_slug(QueryDict("session=old&round=new")) == "new"


def test_round_slug_without_a_parameter_is_empty():
    assert round_slug(QueryDict("")) == ""
    assert round_slug(QueryDict("round=%20%20")) == ""
    assert not round_requested(QueryDict("layout=roster"))
