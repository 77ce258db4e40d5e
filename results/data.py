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
        "ResultNotice",
        "CertificateFormat",
        "Certificate",
        "RetakeRule",
    ),
    personal=(
        Personal("Score", {"reason": Purge.REDACT}, of="seat__registration"),
        # A score sheet names candidates by ID number and name: the round's own record, so its
        # rows lose every purged value of the round, also one still needed elsewhere.
        Personal(
            "ScoreImport",
            {"rows": Purge.BLOB, "problems": Purge.BLOB},
            round="sitting__round",
        ),
    ),
    not_personal=(NotPersonal("ScoreImport", ("file_name",), "the name of the uploaded sheet"),),
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
