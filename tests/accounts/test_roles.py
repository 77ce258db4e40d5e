import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import access
from accounts.roles import ACADEMIC_GROUP, COUNSELOR_GROUP, roles_setup
from tests.factories import UserFactory


@pytest.mark.django_db
def test_roles_setup_is_idempotent_and_grants_review_permissions():
    roles_setup()
    roles_setup()
    assert Group.objects.filter(name__in=[COUNSELOR_GROUP, ACADEMIC_GROUP]).count() == 2
    for name in (COUNSELOR_GROUP, ACADEMIC_GROUP):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"view_registration", "change_registration", "view_schoolclass"} <= codenames
        assert "delete_registration" not in codenames


@pytest.mark.django_db
def test_roles_setup_keeps_permissions_an_admin_added():
    from django.contrib.auth.models import Permission

    group = roles_setup()[COUNSELOR_GROUP]
    extra = Permission.objects.get(codename="add_major")
    group.permissions.add(extra)
    roles_setup()
    assert group.permissions.filter(pk=extra.pk).exists()


@pytest.mark.django_db
def test_setup_roles_command_adds_users_to_groups():
    UserFactory(username="t1")
    UserFactory(username="t2")
    call_command("setup_roles", "--counselor", "t1", "--academic", "t2")
    assert Group.objects.get(name=COUNSELOR_GROUP).user_set.filter(username="t1").exists()
    assert Group.objects.get(name=ACADEMIC_GROUP).user_set.filter(username="t2").exists()


@pytest.mark.django_db
def test_setup_roles_command_rejects_an_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("setup_roles", "--counselor", "nobody")


@pytest.mark.django_db
def test_is_academic_for_group_members_and_superusers_only(counselor, academic):
    superuser = UserFactory(username="root", is_superuser=True)
    assert access.is_academic(academic)
    assert access.is_academic(superuser)
    assert not access.is_academic(counselor)


@pytest.mark.django_db
def test_can_use_workspace_needs_a_role(counselor):
    plain = UserFactory(username="plain")
    assert access.uses_workspace(counselor)
    assert not access.uses_workspace(plain)
    counselor.is_active = False
    assert not access.uses_workspace(counselor)


@pytest.mark.django_db
def test_can_review_only_own_class_for_counselors(
    counselor, academic, own_registration, other_registration
):
    assert access.may_review(counselor, own_registration)
    assert not access.may_review(counselor, other_registration)
    assert access.may_review(academic, other_registration)
