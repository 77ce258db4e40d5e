"""Who may send how many sign-up, edit, lookup and retake requests: the limits, keyed on what is
attacked (docs/security.md, "Limits keyed on what is attacked").

- **A link**: every class link (and the social sign-up form) takes at most
  `settings.SIGNUP_RATE_LIMIT_PER_LINK` sign-up POSTs per 10 minutes from all addresses together;
  a private link takes at most `EDIT_LIMIT_PER_REGISTRATION` edit POSTs per 15 minutes.
- **A subject** (an ID number, or a class's student number): answers that tell something about
  someone ("已报名", "与班级名单不符") are counted per subject from everywhere
  (`REVEAL_LIMIT_PER_SUBJECT`) and per subject from one address
  (`REVEAL_LIMIT_PER_ADDRESS_SUBJECT`).
  A lookup or retake search counts failures per ID number from one address.
- **An address** is only a high backstop, sized for a whole campus behind one NAT address in the
  first rush. An address past it is *slowed*, never blocked: each link (or, for lookups, each ID
  number) then gets a small allowance of its own from that address, so the first sign-up of
  another class (or the first lookup of another ID number) still goes through.

Only failures count towards the subject and address limits of answers: a correct lookup or a
successful sign-up never uses anybody's allowance. Keys are keyed HMACs (`_digest`), so no ID
number is stored in the cache and none can be recovered from a key without the secret key.

A sign-up or edit POST costs one cache round trip on its happy path (`signup_refusal`,
`edit_refusal`: counting the POST and reading the counters of answers in one Redis script); only a
revealing answer costs a second (`reveal_count`).
"""

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from common.idcard import normalise_id_number
from common.normalize import student_number_normalize
from common.ratelimit import client_ip, rate_limits_count_and_read

SIGNUP_RATE_LIMITED = _("该报名链接提交过于频繁，请10分钟后再试。您填写的内容已保留。")
ADDRESS_SLOWED = _("您所在网络的报名提交过多，本链接暂时限流，请10分钟后再试。您填写的内容已保留。")
REVEAL_RATE_LIMITED = _("核对失败次数过多，请15分钟后再试。您填写的内容已保留。")
EDIT_RATE_LIMITED = _("修改提交过于频繁，请15分钟后再试。您填写的内容已保留。")
LOOKUP_RATE_LIMITED = _("查询过于频繁，请15分钟后再试。")

SIGNUP_WINDOW_SECONDS = 10 * 60
REVEAL_WINDOW_SECONDS = 15 * 60
LOOKUP_WINDOW_SECONDS = 15 * 60

# Once an address is past settings.SIGNUP_RATE_LIMIT, a link takes at most this many sign-up POSTs
# from it per SIGNUP_WINDOW_SECONDS (those before included): a class of 60 with typos sends 150.
SIGNUP_LIMIT_PER_ADDRESS_LINK_SLOWED = 200
# Revealing answers about one subject, per REVEAL_WINDOW_SECONDS: from one address, and from
# everywhere (a prober with many addresses). Nobody needs five: the answer does not change.
REVEAL_LIMIT_PER_ADDRESS_SUBJECT = 5
REVEAL_LIMIT_PER_SUBJECT = 20
# Revealing answers from one address, any subject: sized for 2,000 students behind one campus NAT
# address in 10 minutes with many typos. Past it, a link that gave that address
# REVEAL_LIMIT_PER_ADDRESS_LINK_SLOWED of them in the window gives it no more.
REVEAL_LIMIT_PER_ADDRESS = 1000
REVEAL_LIMIT_PER_ADDRESS_LINK_SLOWED = 10
EDIT_LIMIT_PER_REGISTRATION = 30  # POSTs per REVEAL_WINDOW_SECONDS to one private link

# Failed lookups (and retake searches) per REVEAL_WINDOW_SECONDS: per ID number from one address
# (wrong tries by someone elsewhere never lock a student out), and per address, the backstop:
# past it, an ID number takes LOOKUP_LIMIT_PER_ID_SLOWED failures from that address, not 5.
LOOKUP_LIMIT_PER_ID = 5
LOOKUP_LIMIT_PER_IP = 2000
LOOKUP_LIMIT_PER_ID_SLOWED = 1


def _digest(*parts: str) -> str:
    """A keyed hash of what a counter is about: ID numbers never become readable keys."""
    return salted_hmac("registration.ratelimits", "|".join(parts)).hexdigest()


def _subjects(request, school_class) -> list[str]:
    """What a sign-up or edit POST asks about: the ID number, and the class's student number."""
    id_number = normalise_id_number(request.POST.get("id_number", "")[:40])
    number = student_number_normalize(request.POST.get("student_number", "")[:40])
    subjects = [f"id:{id_number}"] if id_number else []
    if school_class is not None and number:
        subjects.append(f"class:{school_class.pk}:{number}")
    return subjects


def _reveal_reads(request, link: str, subjects) -> list[tuple[str, str]]:
    address = client_ip(request)
    return [
        ("reveal-ip", address),
        ("reveal-ip-link", _digest(address, link)),
        *(("reveal-subject", _digest(subject)) for subject in subjects),
        *(("reveal-ip-subject", _digest(address, subject)) for subject in subjects),
    ]


def _revealing_refused(reads: list[int], subject_count: int) -> bool:
    address, address_link, *rest = reads
    per_subject, per_address_subject = rest[:subject_count], rest[subject_count:]
    return (
        any(n >= REVEAL_LIMIT_PER_SUBJECT for n in per_subject)
        or any(n >= REVEAL_LIMIT_PER_ADDRESS_SUBJECT for n in per_address_subject)
        or (
            address >= REVEAL_LIMIT_PER_ADDRESS
            and address_link >= REVEAL_LIMIT_PER_ADDRESS_LINK_SLOWED
        )
    )


def signup_link(school_class) -> str:
    """The link a sign-up POST came through: its class link, or the social form."""
    return f"class:{school_class.pk}" if school_class is not None else "social"


def private_link(registration) -> str:
    return f"registration:{registration.pk}"


def signup_refusal(request, *, school_class):
    """Count a sign-up POST and check every limit it is under, in one cache round trip; return
    the message saying why it is refused, or None."""
    link = signup_link(school_class)
    address = client_ip(request)
    subjects = _subjects(request, school_class)
    counts, reads = rate_limits_count_and_read(
        counted=[
            ("signup-link", link, SIGNUP_WINDOW_SECONDS),
            ("signup-ip", address, SIGNUP_WINDOW_SECONDS),
            ("signup-ip-link", _digest(address, link), SIGNUP_WINDOW_SECONDS),
        ],
        read=_reveal_reads(request, link, subjects),
    )
    per_link, per_address, per_address_link = counts
    if per_link > settings.SIGNUP_RATE_LIMIT_PER_LINK:
        return SIGNUP_RATE_LIMITED
    if (
        per_address > settings.SIGNUP_RATE_LIMIT
        and per_address_link > SIGNUP_LIMIT_PER_ADDRESS_LINK_SLOWED
    ):
        return ADDRESS_SLOWED
    if _revealing_refused(reads, len(subjects)):
        return REVEAL_RATE_LIMITED
    return None


def edit_refusal(request, *, registration, school_class):
    """Count an edit POST to a private link and check its limits, in one cache round trip; return
    the message saying why it is refused, or None. The registration's own ID number is not a
    subject here: nobody else's answers may lock its owner out of editing."""
    link = private_link(registration)
    own = f"id:{normalise_id_number(registration.id_number)}"
    subjects = [s for s in _subjects(request, school_class) if s != own]
    counts, reads = rate_limits_count_and_read(
        counted=[("edit-registration", str(registration.pk), REVEAL_WINDOW_SECONDS)],
        read=_reveal_reads(request, link, subjects),
    )
    if counts[0] > EDIT_LIMIT_PER_REGISTRATION:
        return EDIT_RATE_LIMITED
    if _revealing_refused(reads, len(subjects)):
        return REVEAL_RATE_LIMITED
    return None


def reveal_count(request, *, link: str, school_class, subject_kind: str) -> None:
    """Count an answer that told something about someone: `subject_kind` "id" (already
    registered) or "class" (the class list does not match; the ID number when no student number
    was given)."""
    subjects = _subjects(request, school_class)
    by_kind = {subject.split(":", 1)[0]: subject for subject in subjects}
    subject = by_kind.get(subject_kind) or by_kind.get("id")
    if subject is None:
        return
    address = client_ip(request)
    rate_limits_count_and_read(
        counted=[
            ("reveal-ip", address, REVEAL_WINDOW_SECONDS),
            ("reveal-ip-link", _digest(address, link), REVEAL_WINDOW_SECONDS),
            ("reveal-subject", _digest(subject), REVEAL_WINDOW_SECONDS),
            ("reveal-ip-subject", _digest(address, subject), REVEAL_WINDOW_SECONDS),
        ]
    )


def _lookup_keys(request, scope: str, id_number: str):
    address = client_ip(request)
    subject = _digest(address, f"id:{normalise_id_number(id_number)}")
    return [(f"{scope}-ip", address), (f"{scope}-subject", subject)]


def lookup_refused(request, *, scope: str, id_number: str) -> bool:
    """Whether failed lookups (scope "lookup") or retake searches ("retake") of this ID number
    from this address are used up: one cache read, nothing counted."""
    _counts, (per_address, per_id) = rate_limits_count_and_read(
        counted=[], read=_lookup_keys(request, scope, id_number)
    )
    per_id_limit = LOOKUP_LIMIT_PER_ID_SLOWED if per_address >= LOOKUP_LIMIT_PER_IP else None
    return per_id >= (per_id_limit or LOOKUP_LIMIT_PER_ID)


def lookup_failure_count(request, *, scope: str, id_number: str) -> None:
    keys = _lookup_keys(request, scope, id_number)
    rate_limits_count_and_read(
        counted=[(counter, key, LOOKUP_WINDOW_SECONDS) for counter, key in keys]
    )
