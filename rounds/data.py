"""What `rounds` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal

DATA = AppData(
    content_models=("ExamRound", "SkillLevel", "Major", "SchoolClass"),
    # The count of content edits itself (written with UPDATE, never through a signal).
    transactional_models=("ContentVersion",),
    not_personal=(
        NotPersonal("SkillLevel", ("name", "short_name"), "a skill level's name"),
        NotPersonal("Major", ("name",), "a major's name"),
        NotPersonal("SchoolClass", ("name",), "a class's name"),
        NotPersonal(
            "ExamRound",
            (
                "intro_text",
                "value_text",
                "eligibility_notes",
                "training_note",
                "fee_payment_text",
                "fee_note",
                "how_to_register_text",
                "consultation_note",
                "consultation_qq",
                "social_refusal_reason",
            ),
            "the round's published announcement text and the office's contact group",
        ),
        NotPersonal("ExamRound", ("photo_width", "photo_height", "photo_max_kb"), "photo rules"),
        NotPersonal("ExamRound", ("archive_reason",), "why 教务 archived the round"),
        NotPersonal("ExamRound", ("next_round_note",), "the public note on the next round"),
        NotPersonal("ExamRound", ("payment_channel",), "where the round is paid: public text"),
    ),
)
