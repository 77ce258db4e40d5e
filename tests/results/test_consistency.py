"""Property: for any sequence of score correction, certificate entry and import, revocation and
公示 (after double entry and 审核), the student page, the certificates page, the rates and the
platform score sheet agree about every candidate."""

import io
import re

from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from results import certificates, selectors, services
from results.certificates import CertificateError
from results.models import Certificate, Score
from results.services import ScoreError
from tests.results.test_certificates import xlsx
from tests.results.test_outcomes import graded  # noqa: F401

CANDIDATES = 4
candidate = st.integers(min_value=0, max_value=CANDIDATES - 1)
operation = st.one_of(
    st.tuples(
        st.just("amend"),
        candidate,
        st.sampled_from(["theory", "skill"]),
        st.sampled_from(["40", "59.5", "60", "95", "absent", "violation"]),
        st.booleans(),  # give a revocation reason
    ),
    st.tuples(st.just("enter"), candidate),
    st.tuples(st.just("import"), st.lists(candidate, min_size=1, max_size=CANDIDATES)),
    st.tuples(st.just("revoke"), candidate),
    st.tuples(st.just("publish")),
)


def _apply(step, people, academic, exam_round):
    kind = step[0]
    try:
        if kind == "amend":
            _, index, subject, value, revoke = step
            score = Score.objects.get(
                seat__registration=people[index], seat__sitting__subject=subject
            )
            outcome = value if value in ("absent", "violation") else "scored"
            services.score_amend(
                score=score,
                outcome=outcome,
                points=None if outcome != "scored" else value,
                reason="更正",
                user=academic,
                revoke_reason="成绩更正" if revoke else "",
            )
        elif kind == "enter":
            index = step[1]
            certificates.certificate_enter(
                registration=people[index], number=f"S{index:012d}", issued_on=None, user=academic
            )
        elif kind == "import":
            rows = [["身份证号", "证书编号"]] + [
                [people[i].id_number, f"S{i:012d}"] for i in sorted(set(step[1]))
            ]
            certificates.certificates_import(round=exam_round, content=xlsx(rows), user=academic)
        elif kind == "revoke":
            found = Certificate.objects.filter(registration=people[step[1]]).first()
            if found is not None:
                services.certificate_revoke(certificate=found, reason="撤销", user=academic)
        elif kind == "publish":
            services.notice_publish(round=exam_round, working_days=5, user=academic)
    except (ScoreError, CertificateError):
        pass  # refused steps must leave everything consistent too


def _check(people, academic, exam_round):
    results = {r.registration.pk: r for r in selectors.round_results(round=exam_round)}
    published = selectors.notice_of(exam_round) is not None
    held = {c.registration_id: c for c in Certificate.objects.all()}
    staff = Client()
    staff.force_login(academic)
    cert_page = staff.get(reverse("results:certificates"), {"round": exam_round.slug})
    rows = dict(
        re.findall(r'data-registration="(\d+)" data-state="(\w+)"', cert_page.content.decode())
    )
    for person in people:
        result = results[person.pk]
        certificate = held.get(person.pk)
        active = certificate is not None and certificate.revoked_at is None
        # The certificates page: every certificate and every passed candidate, in the right state.
        if certificate is not None or result.passed:
            state = rows[str(person.pk)]
            if certificate is None:
                assert state == "missing"
            elif not active:
                assert state == "revoked"
            elif not result.passed:
                assert state == "not_passed"
            else:
                assert state in ("uncollected", "collected")
        else:
            assert str(person.pk) not in rows
        # Published: an active certificate only beside a pass, unless the page flags it.
        if published and active and not result.passed:
            assert rows[str(person.pk)] == "not_passed"
        page = (
            Client()
            .get(reverse("registration:registration_detail", args=[person.pk, person.token]))
            .content.decode()
        )
        if published:
            verdict = re.search(r'id="student-result">([^<]+)<', page).group(1)
            assert verdict == ("合格" if result.passed else "不合格")
            assert ('id="student-certificate"' in page) == active
            assert ('id="student-certificate-revoked"' in page) == (
                certificate is not None and not active
            )
        else:
            assert 'id="student-results"' not in page
    # Rates: the total counts exactly the passed complete candidates.
    rates = staff.get(reverse("results:rates_xlsx"), {"round": exam_round.slug})
    sheet = load_workbook(io.BytesIO(rates.content)).active
    total = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "合计")
    passed = sum(1 for r in results.values() if r.complete and r.passed)
    assert total[3] == passed
    # The platform score sheet: the same verdict per candidate.
    if published:
        response = staff.get(reverse("results:score_sheet"), {"round": exam_round.slug})
        content = b"".join(response.streaming_content)
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        name, verdict = rows[0].index("姓名"), rows[0].index("结果")
        by_name = {row[name]: row[verdict] for row in rows[1:]}
        for person in people:
            result = results[person.pk]
            assert by_name[person.name] == ("合格" if result.passed else "不合格")


def test_pages_agree_after_any_sequence(exam_round, graded, academic):  # noqa: F811
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(operation, min_size=1, max_size=8))
    def run(steps):
        with transaction.atomic():
            for step in steps:
                _apply(step, graded, academic, exam_round)
            _check(graded, academic, exam_round)
            transaction.set_rollback(True)

    run()
