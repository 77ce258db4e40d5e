"""The staff navigation, from the access gate's own predicates, so a link never leads to a 403.

`gate` puts the same predicates in every template (`{% if gate.uses_training %}`).

`staff_links(user)` lists the staff pages `user` may open (label, path); `staff_home(user)` is
where they land after sign-in and what the 403 page offers as the way back. Both ask the same
predicates as the pages' `access_required`; `tests/accounts/test_gate.py` follows every link.
"""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts import access


@dataclass(frozen=True)
class NavLink:
    label: str
    path: str

    def is_active(self, request_path: str) -> bool:
        return request_path.startswith(self.path)


def staff_links(user) -> list[NavLink]:
    if not access.is_signed_in(user):
        return []
    links = []
    if access.uses_workspace(user):
        links.append(NavLink(_("工作台"), "/counselor/"))
    if access.is_finance(user):
        links.append(NavLink(_("缴费对账"), "/finance/"))
    elif access.may_record_payments(user):
        links.append(NavLink(_("缴费对账"), "/finance/payments/"))
    if access.is_academic(user):
        links.append(NavLink(_("考务"), "/exams/"))
    elif access.may_check_in(user):
        links.append(NavLink(_("考场签到"), "/exams/check-in/"))
    if access.is_academic(user):
        links.append(NavLink(_("成绩"), "/results/"))
    elif access.may_enter_scores(user):
        links.append(NavLink(_("成绩录入"), "/results/entry/"))
    elif access.uses_workspace(user):
        links.append(NavLink(_("成绩统计"), "/results/rates/"))
    if access.uses_training(user):
        links.append(NavLink(_("培训点名"), "/training/"))
    if access.may_read_statistics(user):
        links.append(NavLink(_("统计"), "/stats/"))
    if access.is_academic(user):
        links.append(NavLink(_("归档"), "/archive/"))
    if user.is_staff:
        links.append(NavLink(_("管理后台"), "/admin/"))
    return links


def staff_home(user) -> str | None:
    """The first staff page of `user` (workspace, finance, statistics, exam day…), else None."""
    links = staff_links(user)
    return str(links[0].path) if links else None


class Gate:
    """`{{ gate.is_academic }}` in templates: the gate's user predicates for the signed-in user,
    so a button in a page asks exactly what the page behind it asks (never `perms.…`)."""

    PREDICATES = frozenset(
        {
            "is_academic",
            "uses_workspace",
            "is_finance",
            "may_view_payment_imports",
            "may_record_payments",
            "may_read_statistics",
            "may_check_in",
            "may_enter_scores",
            "uses_training",
            "manages_training",
            "may_see_personal_data",
        }
    )

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name: str) -> bool:
        if name not in self.PREDICATES:
            raise AttributeError(name)
        return getattr(access, name)(self._user)


def navigation(request):
    """`staff_links`: (link, is_active) pairs for the navbar; `staff_home`: the way back."""
    user = getattr(request, "user", None)

    def links():
        return [(link, link.is_active(request.path)) for link in staff_links(user)]

    return {
        "staff_links": SimpleLazyObject(links),
        "staff_home": SimpleLazyObject(lambda: staff_home(user) or ""),
        "gate": Gate(user),
    }
