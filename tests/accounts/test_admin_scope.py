"""Django admin uses the workspace's scope: role × every registered ModelAdmin × changelist,
change page, history, actions; exports of personal data masked without the permission and
audited. The matrix reads `admin.site._registry`, so a ModelAdmin added later is covered; a
deliberately unscoped ModelAdmin on a second site shows that the matrix catches one.
"""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from accounts import access
from accounts.admin_scope import ScopedAdminMixin, user_fields_named_by
from courses.models import TrainingClass
from registration.models import Registration
from rounds.models import SchoolClass
from tests.accounts.world import ROLES, staff_world
from tests.factories import UserFactory
from workspace.models import PersonalDataExport

pytestmark = pytest.mark.django_db

# What scope hangs on: a row belongs to the registrations, classes (班级) and training classes
# it leads to through its foreign keys (the first one on each path).
ANCHORS = (Registration, SchoolClass, TrainingClass)


def anchor_paths(model, depth: int = 3, prefix: str = "") -> list[str]:
    if issubclass(model, ANCHORS):
        return [prefix]
    if depth == 0:
        return []
    paths = []
    for field in model._meta.get_fields():
        if field.concrete and (field.many_to_one or field.one_to_one) and field.related_model:
            name = f"{prefix}__{field.name}" if prefix else field.name
            paths += anchor_paths(field.related_model, depth - 1, name)
    return paths


def anchors_of(obj, paths) -> set:
    found = set()
    for path in paths:
        target = obj
        for part in [p for p in path.split("__") if p]:
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:
            found.add((type(target)._meta.label, target.pk))
    return found


def _keys(*objects) -> set:
    return {(type(o)._meta.label, o.pk) for o in objects}


def scope_sets(world) -> dict:
    """Per role, by hand from docs/roles.md: anchors whose rows it must see (`own`) and anchors
    whose rows it must never see (`foreign`)."""
    a, b = world["a"], world["b"]
    side_a = _keys(a["registration"], a["class"], a["training_class"])
    side_b = _keys(b["registration"], b["class"], b["training_class"])
    classes = _keys(a["class"], b["class"], a["training_class"], b["training_class"])
    return {
        "counselor": (side_a, side_b),
        "trainer": (_keys(a["training_class"]), side_b),
        "academic": (side_a | side_b, set()),
        "finance": (_keys(a["registration"], b["registration"]), classes),
        "invigilator": (set(), side_a | side_b),
        "scorer": (set(), side_a | side_b),
        "plain": (set(), side_a | side_b),
        "root": (side_a | side_b, set()),
    }


def grant_model_permissions(user, site) -> None:
    """The worst case the issue names: an admin marked the user staff and granted every view,
    change and delete permission of every model in admin. Scope must still hold."""
    labels = {(m._meta.app_label, m._meta.model_name) for m in site._registry}
    permissions = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.content_type.model) in labels
        and p.codename.split("_", 1)[0] in {"view", "change", "delete"}
    ]
    user.user_permissions.add(*permissions)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def _url(site, model, view: str, *args) -> str | None:
    try:
        return reverse(
            f"{site.name}:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
        )
    except NoReverseMatch:
        return None


def scope_violations(client, site, world, roles=ROLES) -> list:
    """Every (role, ModelAdmin, what) where a row outside the role's scope showed or was acted
    on, or a row inside it was hidden."""
    violations = []
    sets = scope_sets(world)
    rf = RequestFactory()
    for role in roles:
        user = world["users"][role]
        if role != "root":
            grant_model_permissions(user, site)
        client.force_login(user)
        own, foreign = sets[role]
        secrets = {
            value
            for registration in Registration.objects.filter(
                pk__in=[pk for label, pk in foreign if label == "registration.Registration"]
            )
            for value in (registration.name, registration.id_number, registration.number)
        }
        for model, model_admin in site._registry.items():
            paths = anchor_paths(model)
            if not paths:
                continue  # reference data: model permissions decide, there is no scope
            rows = {obj.pk: anchors_of(obj, paths) for obj in model._default_manager.all()}
            outside = [pk for pk, found in rows.items() if found and found <= foreign]
            inside = [pk for pk, found in rows.items() if found and found <= own]
            label = model._meta.label
            changelist = _url(site, model, "changelist")
            response = client.get(changelist)
            if response.status_code != 200:
                if inside:
                    violations.append((role, label, "changelist", response.status_code))
                continue
            shown = {obj.pk for obj in response.context["cl"].result_list}
            for pk in outside:
                if pk in shown:
                    violations.append((role, label, "changelist shows", pk))
                change = client.get(_url(site, model, "change", pk))
                if change.status_code == 200:
                    violations.append((role, label, "change page opens", pk))
                history = _url(site, model, "history", pk)
                if history and client.get(history).status_code == 200:
                    violations.append((role, label, "history opens", pk))
            for pk in inside:
                if pk not in shown:
                    violations.append((role, label, "changelist hides own", pk))
            request = rf.get(changelist)
            request.user = user
            for action in model_admin.get_actions(request):
                for pk in outside:
                    before = model_to_dict(model._default_manager.get(pk=pk))
                    acted = client.post(
                        changelist,
                        {"action": action, "_selected_action": [pk], "index": 0, "post": "yes"},
                    )
                    after = model._default_manager.filter(pk=pk).first()
                    if after is None or model_to_dict(after) != before:
                        violations.append((role, label, f"action {action} changed", pk))
                    if acted.get("Content-Type", "").startswith("application/vnd.openxml"):
                        sheet = load_workbook(io.BytesIO(acted.content)).active
                        cells = {str(c.value) for row in sheet.iter_rows() for c in row}
                        if cells & secrets:
                            violations.append((role, label, f"action {action} exported", pk))
        client.logout()
    return violations


def test_every_registered_model_admin_declares_a_scope():
    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if anchor_paths(model) and not isinstance(model_admin, ScopedAdminMixin)
    ]
    assert unscoped == []


def test_admin_matrix_role_by_model_admin_holds_the_workspace_scope(client):
    world = staff_world(is_staff=True)
    checked = [m for m in admin.site._registry if anchor_paths(m)]
    assert len(checked) >= 12  # registrations, classes, lists, training, ledger, seats…
    assert scope_violations(client, admin.site, world) == []


class UnscopedRegistrationAdmin(admin.ModelAdmin):
    """What a ModelAdmin written without the mixin looks like."""

    actions = ["touch"]

    @admin.action(description="touch", permissions=["change"])
    def touch(self, request, queryset):
        queryset.update(counselor_note="touched")


unscoped_site = admin.AdminSite(name="unscoped")
unscoped_site.register(Registration, UnscopedRegistrationAdmin)


@pytest.mark.urls("tests.accounts.unscoped_urls")
def test_admin_matrix_catches_an_unscoped_model_admin(client):
    world = staff_world(is_staff=True)
    found = scope_violations(client, unscoped_site, world, roles=["counselor"])
    kinds = {what for _role, _label, what, _pk in found}
    assert "changelist shows" in kinds
    assert "change page opens" in kinds
    assert "action touch changed" in kinds


# --- Personal data: exports, change forms, authors --------------------------------------------


def _export(client, registrations) -> tuple[int, list]:
    response = client.post(
        reverse("admin:registration_registration_changelist"),
        {"action": "export_action", "_selected_action": [r.pk for r in registrations]},
    )
    if response.status_code != 200 or "openxml" not in response.get("Content-Type", ""):
        return response.status_code, []
    sheet = load_workbook(io.BytesIO(response.content)).active
    return 200, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_is_masked_for_finance_and_audited(client):
    world = staff_world(is_staff=True)
    finance = world["users"]["finance"]
    client.force_login(finance)
    status, rows = _export(client, [world["a"]["registration"], world["b"]["registration"]])
    assert status == 200
    text = repr(rows)
    for side in ("a", "b"):
        registration = world[side]["registration"]
        assert registration.id_number not in text
        assert registration.phone not in text
        assert registration.masked_id_number in text
    audit = PersonalDataExport.objects.get()
    assert (audit.user, audit.rows, audit.full) == (finance, 2, False)


def test_export_with_the_permission_is_full_and_audited(client):
    world = staff_world(is_staff=True)
    academic = world["users"]["academic"]
    assert access.may_see_personal_data(academic)  # setup_roles gives 教务 the permission
    assert not access.may_see_personal_data(world["users"]["finance"])
    client.force_login(academic)
    status, rows = _export(client, [world["a"]["registration"]])
    assert status == 200
    assert world["a"]["registration"].id_number in repr(rows)
    audit = PersonalDataExport.objects.get()
    assert (audit.user, audit.rows, audit.full) == (academic, 1, True)


def test_a_counselor_exports_only_their_own_class(client):
    world = staff_world(is_staff=True)
    counselor = world["users"]["counselor"]
    grant_model_permissions(counselor, admin.site)
    client.force_login(counselor)
    _status, rows = _export(client, [world["a"]["registration"], world["b"]["registration"]])
    text = repr(rows)
    assert world["a"]["registration"].name in text
    assert world["b"]["registration"].name not in text
    assert PersonalDataExport.objects.get().rows == 1


def test_cancel_action_checks_scope_like_confirm(client):
    world = staff_world(is_staff=True)
    finance = world["users"]["finance"]
    finance.user_permissions.add(Permission.objects.get(codename="change_registration"))
    client.force_login(finance)
    registration = world["a"]["registration"]
    client.post(
        reverse("admin:registration_registration_changelist"),
        {"action": "cancel_action", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert registration.status == "active"
    # The counselor of the class may.
    counselor = world["users"]["counselor"]
    grant_model_permissions(counselor, admin.site)
    client.force_login(counselor)
    client.post(
        reverse("admin:registration_registration_changelist"),
        {"action": "cancel_action", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_who_did_it_fields_are_read_only_everywhere():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    from registration.models import RetakeOffer
    from registration.training.models import Attendance

    missing = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ScopedAdminMixin):
            continue
        readonly = set(model_admin.get_readonly_fields(request, None))
        missing += [
            f"{model._meta.label}.{name}"
            for name in user_fields_named_by(model)
            if name not in readonly
        ]
    assert missing == []
    # The check sees the fields the issue names.
    assert user_fields_named_by(Attendance) == ["marked_by"]
    assert "created_by" in user_fields_named_by(RetakeOffer)


def test_attendance_saved_in_admin_names_whoever_saved_it():
    from registration.training.models import Attendance

    world = staff_world(is_staff=True)
    attendance = world["a"]["attendance"]
    academic = world["users"]["academic"]
    request = RequestFactory().post("/admin/")
    request.user = academic
    admin.site._registry[Attendance].save_model(request, attendance, form=None, change=True)
    attendance.refresh_from_db()
    assert attendance.marked_by == academic


def test_change_form_choices_follow_the_scope(rf):
    from registration.models import ClassListEntry

    world = staff_world(is_staff=True)
    counselor = world["users"]["counselor"]
    grant_model_permissions(counselor, admin.site)
    request = rf.get("/admin/")
    request.user = counselor
    model_admin = admin.site._registry[ClassListEntry]
    field = ClassListEntry._meta.get_field("school_class")
    formfield = model_admin.formfield_for_foreignkey(field, request)
    assert list(formfield.queryset) == [world["a"]["class"]]
