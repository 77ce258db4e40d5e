"""Staff roles of the counselor workspace and the classes each role may see.

Two groups carry the permissions: 辅导员 (a counselor sees and reviews the classes assigned to
them in Django admin) and 教务 (academic-affairs staff see and export every class of a round).
Superusers act as 教务. 培训教师 (trainers) take attendance and record completion for the
training classes that list them; counselors take attendance for their own classes' students and
教务 for everyone. What each role may open and see is decided by the access gate
(`accounts.access`) from these groups and permissions. `roles_setup()` (the `setup_roles`
command) creates the groups idempotently.
"""

from django.contrib.auth.models import Group, Permission

from common.appdata import role_permissions

COUNSELOR_GROUP = "辅导员"
ACADEMIC_GROUP = "教务"
FINANCE_GROUP = "财务"
# Invigilators check candidates in on exam day (exams app); they see only their own rooms.
INVIGILATOR_GROUP = "监考"
TRAINER_GROUP = "培训教师"
# Scorers (考评员) enter the scores of the rooms assigned to them (results app), double entry.
SCORER_GROUP = "考评员"

# Entering the workspace needs this permission; confirming or returning a registration needs the
# change permission as well. Both groups get both; the difference between them is scope.
WORKSPACE_PERMISSION = "registration.view_registration"
REVIEW_PERMISSION = "registration.change_registration"

_COMMON = [
    "registration.view_registration",
    "registration.change_registration",
    "rounds.view_schoolclass",
    "rounds.view_examround",
    "rounds.view_major",
    "rounds.view_skilllevel",
]

# Finance staff reconcile payments and read statistics; they may look at registrations and fee
# items (in admin, when an admin also marks them staff) but change neither fees nor rules.
_FINANCE = [
    "registration.add_paymentimport",
    "registration.view_paymentimport",
    "registration.add_payment",
    "registration.view_payment",
    "registration.view_statistics",
    "fees.view_feeitem",
    "registration.view_registration",
    "rounds.view_examround",
]

# Training (courses, registration.training): taking attendance; which students is a question of
# scope (courses.access).
_TRAINING = [
    "courses.view_trainingclass",
    "courses.view_traininglesson",
    "registration.view_trainingenrollment",
    "registration.view_attendance",
    "registration.add_attendance",
    "registration.change_attendance",
]

# What accounts itself knows each role needs; the apps above add the permissions of their own
# pages in their declarations (`<app>/data.py`: exams, results), and roles_setup() grants both
# (group_permissions()).
GROUP_PERMISSIONS: dict[str, list[str]] = {
    COUNSELOR_GROUP: [*_COMMON, *_TRAINING],
    ACADEMIC_GROUP: [
        *_COMMON,
        *_TRAINING,
        "fees.view_feeitem",
        "registration.view_statistics",
        "courses.manage_training",
        "workspace.export_personal_data",
        "registration.change_trainingenrollment",
    ],
    FINANCE_GROUP: _FINANCE,
    INVIGILATOR_GROUP: [],
    TRAINER_GROUP: _TRAINING,
    SCORER_GROUP: [],
}


def group_permissions() -> dict[str, list[str]]:
    """Every role's permissions: GROUP_PERMISSIONS and what the apps declare (common.appdata)."""
    declared = role_permissions()
    unknown = set(declared) - set(GROUP_PERMISSIONS)
    if unknown:
        raise RolesSetupError(f"Permissions declared for unknown roles: {sorted(unknown)}")
    return {
        name: sorted({*names, *declared.get(name, ())}) for name, names in GROUP_PERMISSIONS.items()
    }


class RolesSetupError(Exception):
    pass


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise RolesSetupError(f"Permissions missing (run migrate first): {sorted(missing)}")
    return found


def roles_setup() -> dict[str, Group]:
    """Create both groups and grant their permissions; safe to run any number of times.

    Permissions are only added, never removed, so an admin who granted a group more in Django
    admin keeps it.
    """
    groups = {}
    for name, permission_names in group_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(permission_names))
        groups[name] = group
    return groups


def user_role_add(*, user, group_name: str) -> None:
    groups = roles_setup()
    user.groups.add(groups[group_name])
