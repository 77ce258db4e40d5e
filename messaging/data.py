"""What `messaging` declares about its data (common.appdata; docs/architecture.md)."""

from common.appdata import AppData, NotPersonal, Personal, Purge

DATA = AppData(
    # The texts an admin edits are read when a message is written, never on a cached page; the
    # outbox and preferences are per candidate.
    transactional_models=("MessageTemplate", "Message", "ContactPreference"),
    personal=(
        # A round's messages name the candidate, carry their address or phone, and their private
        # link in the body: they go with the round's purge, history and all.
        Personal(
            "Message",
            {
                "recipient_name": Purge.NAME,
                "address": Purge.PHONE,
                "body": Purge.BLOB,
                "link": Purge.CLEAR,
                "sms_params": Purge.BLOB,
            },
            round="round",
            delete=True,
        ),
        Personal("ContactPreference", {"email": Purge.CLEAR}, round="round", delete=True),
    ),
    not_personal=(
        NotPersonal(
            "MessageTemplate",
            ("body",),
            "the editable text of an event with placeholders; admin refuses an ID number in it",
        ),
        NotPersonal("Message", ("title",), "the event's title from its template"),
        NotPersonal(
            "ContactPreference",
            ("email_consent_at",),
            "when consent was given; deleted with the row (the row goes with the round's purge)",
        ),
    ),
)
