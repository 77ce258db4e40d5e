"""What `results` declares about its data (common.appdata; docs/architecture.md)."""

from accounts.roles import ACADEMIC_GROUP, COUNSELOR_GROUP, SCORER_GROUP
from common.appdata import AppData, NotPersonal, Personal, Purge

DATA = AppData(
    # Scores, results, certificates: staff pages, the student's own page and the public notice,
    # all never cached (the notice is computed on each request).
    transactional_models=(
        "ScoreRule",
        "ScorerAssignment",
        "ScoreEntry",
        "Score",
        "SittingReview",
        "ScoreImport",
        "CertificateFormat",
        "Certificate",
        "RetakeRule",
        "OfficialCalendarDay",
        "ReviewRequest",
        "ScorerRequirement",
        "ScorerRecusal",
    ),
    # The home page links the results notice (公示) while its period runs.
    content_models=("ResultNotice",),
    personal=(
        Personal("Score", {"reason": Purge.REDACT}, of="seat__registration"),
        # A 复核 request's reason and 教务's answer are free text about the candidate.
        Personal(
            "ReviewRequest", {"reason": Purge.REDACT, "answer": Purge.REDACT}, of="registration"
        ),
        Personal("Certificate", {"revoked_reason": Purge.REDACT}, of="registration"),
        # A 考评员's declared 回避: a person named by ID number, dropped with a purged candidate.
        Personal("ScorerRecusal", {"id_number": Purge.ID_NUMBER}, match="id_number"),
        # A score sheet names candidates by ID number and name: the round's own record, so its
        # rows lose every purged value of the round, also one still needed elsewhere.
        Personal(
            "ScoreImport",
            {"rows": Purge.BLOB, "problems": Purge.BLOB},
            round="sitting__round",
        ),
    ),
    not_personal=(
        NotPersonal("ScoreImport", ("file_name",), "the name of the uploaded sheet"),
        NotPersonal("OfficialCalendarDay", ("name",), "a holiday's name (元旦, 春节)"),
    ),
    permissions={
        COUNSELOR_GROUP: ("results.view_score",),
        ACADEMIC_GROUP: (
            "results.view_score",
            "results.change_score",
            "results.view_scoreentry",
            *(f"results.{a}_scorerassignment" for a in ("add", "change", "view")),
        ),
        SCORER_GROUP: ("results.add_scoreentry",),
    },
)
