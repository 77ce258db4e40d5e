"""What `registration` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal, Personal, Purge

DATA = AppData(
    transactional_models=(
        "Registration",
        "Payment",
        "PaymentImport",
        "TrainingEnrollment",
        "Attendance",
        # Class lists decide who may sign up, checked by the submission service on every POST
        # (never cached); no public page shows them.
        "ClassListEntry",
        "ClassListImport",
        # Retake offers are read by the retake sign-up page, which is never cached.
        "RetakeOffer",
        # Social candidates' interest list (社会人员意向登记): never on a cached page.
        "SocialInterest",
        # Where a round's backups are and when they expire: no page shows them.
        "BackupRecord",
    ),
    personal=(
        # The candidate: identity kept while a certificate must stay verifiable.
        Personal(
            "Registration",
            {
                "id_number": Purge.ID_NUMBER,
                "name": Purge.NAME,
                "student_number": Purge.STUDENT_NUMBER,
                "birth_date": Purge.BIRTH_DATE,
                "phone": Purge.PHONE,
                "work_unit": Purge.CLEAR,
                "counselor_note": Purge.CLEAR,
                "review_reason": Purge.CLEAR,
                "photo_return_reason": Purge.CLEAR,
                "photo": Purge.FILE,
                "photo_status": Purge.CLEAR,
            },
            of="self",
        ),
        # The class roster names a student by ID number; an active entry of an active class is
        # still needed (the student may sign up again through the class link).
        Personal(
            "ClassListEntry",
            {
                "id_number": Purge.ID_NUMBER,
                "name": Purge.NAME,
                "student_number": Purge.STUDENT_NUMBER,
            },
            match="id_number",
            needed={"is_active": True, "school_class__is_active": True},
            then={"is_active": False},
        ),
        Personal(
            "RetakeOffer",
            {"id_number": Purge.ID_NUMBER, "name": Purge.NAME},
            of="source_registration",
            match="id_number",
        ),
        Personal("ClassListImport", {"rows": Purge.BLOB}),
        Personal("PaymentImport", {"rows": Purge.BLOB, "problems": Purge.BLOB}),
        Personal("Payment", {"note": Purge.BLOB}),
        Personal(
            "TrainingEnrollment",
            {"completion_reason": Purge.REDACT},
            of="registration",
        ),
        Personal("Attendance", of="enrollment__registration", delete=True),
        # The interest list belongs to the round that collected it and goes with its purge.
        Personal(
            "SocialInterest",
            {"name": Purge.NAME, "phone": Purge.PHONE},
            round="round",
            delete=True,
        ),
    ),
    not_personal=(
        NotPersonal(
            "Registration",
            ("quoted_charge_items", "matched_condition_text"),
            "the quoted prices and the condition text of the round, the same for everyone",
        ),
        NotPersonal(
            "Registration",
            ("declared_facts",),
            "self-check answers (school kind, years, grade): statistics, no identity",
        ),
        NotPersonal("ClassListImport", ("file_name",), "the name of the uploaded class-list file"),
        NotPersonal("PaymentImport", ("file_name",), "the name of the finance office's file"),
        NotPersonal("Payment", ("charge_item_name",), "the charge item's name"),
    ),
)
