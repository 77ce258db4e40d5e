"""What `exams` declares about its data (common.appdata; docs/architecture.md)."""

from accounts.roles import ACADEMIC_GROUP, INVIGILATOR_GROUP, SCORER_GROUP
from common.appdata import AppData, NotPersonal, Personal, Purge

DATA = AppData(
    # The exam plan is shown only on staff pages and private ticket links, never cached.
    transactional_models=(
        "ExamPlan",
        "Room",
        "Sitting",
        "SeatDraw",
        "Seat",
        "AdmissionTicket",
        "Invigilation",
        "CheckIn",
    ),
    personal=(Personal("Seat", {"move_reason": Purge.REDACT}, of="registration"),),
    not_personal=(
        NotPersonal("ExamPlan", ("candidate_rules",), "the rules printed on every ticket"),
        NotPersonal("Room", ("name",), "a room's name"),
    ),
    permissions={
        ACADEMIC_GROUP: (
            *(
                f"exams.{action}_{model}"
                for action in ("add", "change", "view")
                for model in ("room", "sitting", "examplan", "invigilation")
            ),
            "exams.view_seat",
            "exams.view_admissionticket",
            "exams.view_checkin",
        ),
        INVIGILATOR_GROUP: ("exams.view_sitting", "exams.view_room", "exams.add_checkin"),
        SCORER_GROUP: ("exams.view_sitting", "exams.view_room"),
    },
)
