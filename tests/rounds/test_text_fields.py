"""One list of a round's text fields serves the admin, the clone and the announcement page."""

import datetime as dt

import pytest
from django.contrib import admin

from registration.selectors.public import announcement_get
from registration.services.rounds import round_clone
from rounds.models import ROUND_TEXT_FIELDS, ExamRound

pytestmark = pytest.mark.django_db


def _admin_text_fields() -> list[str]:
    model_admin = admin.site._registry[ExamRound]
    return next(
        options["fields"] for title, options in model_admin.fieldsets if str(title) == "公告正文"
    )


def test_admin_shows_exactly_the_round_text_fields():
    assert _admin_text_fields() == list(ROUND_TEXT_FIELDS)


def test_every_text_field_is_copied_by_the_clone_and_read_by_the_announcement(announcement):
    for number, name in enumerate(ROUND_TEXT_FIELDS):
        setattr(announcement, name, f"第{number}段\n第二行")
    announcement.save()

    copy = round_clone(
        source=announcement,
        slug="copy",
        title="复制批次",
        registration_opens=None,
        registration_deadline=dt.date(2031, 5, 20),
        exam_period="2031年6月",
    )
    for number, name in enumerate(ROUND_TEXT_FIELDS):
        assert getattr(copy, name) == f"第{number}段\n第二行", name

    paragraphs = announcement_get(announcement).paragraphs
    assert set(paragraphs) == set(ROUND_TEXT_FIELDS)
    assert paragraphs["training_note"] == ["第4段", "第二行"]
