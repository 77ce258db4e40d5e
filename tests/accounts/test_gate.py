"""The one access gate: every staff URL from the URL resolver × every role, the navigation, the
403 page, and a scan that fails when a view module writes its own access check."""

import ast
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import access
from accounts.context_processors import staff_links
from tests.accounts.world import ROLES, staff_world

ROOT = Path(__file__).resolve().parents[2]

# Pages anyone may open (students, the public, sign-in): no gate on purpose. A URL that is on
# neither this list nor behind `access_required` fails `test_every_url_is_public_or_gated`.
PUBLIC = {
    "healthz",
    "registration:home",
    "registration:round_list",
    "registration:round_detail",
    "registration:class_entry",
    "registration:register",
    "registration:social_entry",
    "registration:social_interest",
    "registration:inbox",
    "results:review_request",
    "admin_login_throttled",  # Django admin's own sign-in, with the lock page
    "registration:lookup",
    "registration:retake",
    "registration:registration_detail",
    "registration:registration_edit",
    "registration:supplement",
    "registration:student_photo",
    "registration:registration_cancel",
    "registration:login",
    "registration:logout",
    # Django's own view, login_required: any signed-in account changes its own password.
    "registration:password_change",
    "registration:password_change_done",
    "eligibility:self_check",
    "eligibility:api_evaluate",
    "results:notice",
    "exams:student_ticket",
    "exams:student_ticket_pdf",
}

# Who each predicate of the gate lets in, written out by hand from docs/roles.md (not derived
# from the code under test).
ADMITS = {
    "is_academic": {"academic", "root"},
    # A job's progress page: any signed-in account (the page itself shows only one's own jobs).
    "is_signed_in": {
        "counselor",
        "trainer",
        "academic",
        "finance",
        "invigilator",
        "scorer",
        "plain",
        "root",
    },
    "uses_workspace": {"counselor", "academic", "root"},
    "is_finance": {"finance", "root"},
    "may_view_payment_imports": {"finance", "root"},
    "may_record_payments": {"finance", "root"},
    "may_read_statistics": {"academic", "finance", "root"},
    "may_check_in": {"invigilator", "academic", "root"},
    "may_enter_scores": {"scorer", "academic", "root"},
    "uses_training": {"trainer", "counselor", "academic", "root"},
}

# Past the gate, a page may still refuse an object that is not the user's: the scorer's grid is
# for the assigned 考评员 only (blind double entry), not for 教务.
OBJECT_REFUSALS = {("results:entry_room", "academic"), ("results:entry_room", "root")}

# Pages about an object the test world does not hold for the user (no photo uploaded, no class
# list or score import, no archive, no score to amend; manual completion is not a counselor's):
# past the gate they answer 404, like any object outside the user's scope.
NOT_IN_WORLD = {
    "jobs:detail",
    "results:review_decide",
    "registration:counselor_photo",
    "registration:class_list_import",
    "archive:download",
    "results:amend",
    "results:import_detail",
    "courses:complete",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # Django admin: tests/accounts/test_admin_scope.py
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern), entry.callback


def _predicate(callback):
    return getattr(callback, "access_predicate", None)


def staff_urls():
    return [
        (name, route, _predicate(callback))
        for name, route, callback in _walk(get_resolver().url_patterns)
        if name not in PUBLIC
    ]


def test_every_url_is_public_or_gated():
    ungated = [name for name, _route, predicate in staff_urls() if predicate is None]
    assert ungated == []
    assert len(staff_urls()) > 50  # the walk really found the staff pages


def test_every_gate_predicate_is_in_the_table():
    used = {predicate.__name__ for _name, _route, predicate in staff_urls()}
    assert used <= set(ADMITS), used - set(ADMITS)


def _kwargs(world, name: str, route: str) -> dict:
    a = world["a"]
    objects = {
        "sitting": world["sitting"].pk,
        "room": world["room"].pk,
        "round": world["round"].pk,
        "registration": a["registration"].pk,
        "class": a["class"].pk,
        "training_class": a["training_class"].pk,
        "lesson": a["lesson"].pk,
        "enrollment": a["enrollment"].pk,
        "import": world["payment_import"].pk,
        "seat": a["seat"].pk,
    }
    # What `<int:pk>` means on each page, by its route.
    pk_of = [
        ("counselor/classes/", "class"),
        ("counselor/registrations/", "registration"),
        ("counselor/class-lists/imports/", "import"),
        ("finance/imports/", "import"),
        ("exams/rounds/", "round"),
        ("exams/sittings/", "sitting"),
        ("exams/seats/", "seat"),
        ("exams/tickets/", "round"),
        ("exams/check-in/", "sitting"),
        ("results/sittings/", "sitting"),
        ("results/rounds/", "round"),
        ("results/entry/", "sitting"),
        ("results/scores/", "seat"),
        ("results/imports/", "import"),
        ("results/certificates/", "registration"),
        ("archive/rounds/", "round"),
        ("training/classes/", "training_class"),
        ("training/lessons/", "lesson"),
        ("training/enrollments/", "enrollment"),
        ("jobs/", "round"),  # no job in this world: any id, answered 404
        ("results/reviews/", "round"),  # no 复核 request in this world: answered 404
    ]
    kwargs = {}
    if "<int:pk>" in route:
        kwargs["pk"] = next(objects[key] for start, key in pk_of if route.startswith(start))
    if "<int:room>" in route:
        kwargs["room"] = world["room"].pk
    if "<int:class_pk>" in route:
        kwargs["class_pk"] = a["class"].pk
    return kwargs


@pytest.mark.django_db
def test_role_by_url_matrix_from_the_resolver(client):
    """Every staff URL × every role: login for anonymous, 403 (the one page) where the role is
    not admitted, and past the gate where it is (200/302; 405 for POST-only pages on GET; 404
    only for the pages listed in NOT_IN_WORLD)."""
    world = staff_world()
    urls = staff_urls()
    failures = []
    for role in ["anonymous", *ROLES]:
        client.logout()
        if role != "anonymous":
            client.force_login(world["users"][role])
        for name, route, predicate in urls:
            url = reverse(name, kwargs=_kwargs(world, name, route))
            response = client.get(url)
            admitted = role in ADMITS[predicate.__name__]
            if response.status_code == 405 and not admitted:
                # A POST-only page whose method check runs first: ask with a POST (refused
                # before it could change anything).
                response = client.post(url)
            status = response.status_code
            if role == "anonymous":
                ok = status == 302 and "/accounts/login/" in response["Location"]
            elif not admitted or (name, role) in OBJECT_REFUSALS:
                ok = status == 403 and "没有权限访问此页面" in response.content.decode()
            else:
                ok = status in (200, 302, 405) or (status == 404 and name in NOT_IN_WORLD)
            if not ok:
                failures.append((role, name, status))
    assert failures == []


@pytest.mark.django_db
def test_a_refused_page_explains_who_may_open_it(client):
    world = staff_world()
    client.force_login(world["users"]["finance"])
    response = client.get(reverse("registration:counselor_dashboard"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html
    assert "此页面仅限辅导员和教务使用" in html
    assert 'href="/finance/"' in html  # the way back to the user's own page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_navigation_links_never_lead_to_a_403(client, role):
    world = staff_world()
    user = world["users"][role]
    client.force_login(user)
    links = staff_links(user)
    html = client.get("/").content.decode()
    for link in links:
        assert f'href="{link.path}"' in html
        if link.path == "/admin/":
            continue
        response = client.get(link.path)
        assert response.status_code in (200, 302), (role, link.path, response.status_code)
    expected = {
        "counselor": ["/counselor/", "/results/rates/", "/training/"],
        "trainer": ["/training/"],
        "academic": ["/counselor/", "/exams/", "/results/", "/training/", "/stats/", "/archive/"],
        "finance": ["/finance/", "/stats/"],
        "invigilator": ["/exams/check-in/"],
        "scorer": ["/results/entry/"],
        "plain": [],
        "root": [
            "/counselor/",
            "/finance/",
            "/exams/",
            "/results/",
            "/training/",
            "/stats/",
            "/archive/",
            "/admin/",
        ],
    }[role]
    assert [link.path for link in links] == expected


@pytest.mark.django_db
def test_login_lands_on_the_first_page_of_the_navigation(client):
    world = staff_world()
    for role, landing in [("invigilator", "/exams/check-in/"), ("finance", "/finance/")]:
        user = world["users"][role]
        user.set_password("pw-123456789")
        user.save()
        client.logout()
        response = client.post(
            reverse("registration:login"), {"username": user.username, "password": "pw-123456789"}
        )
        assert response.status_code == 302
        assert response["Location"] == landing


# --- No second door --------------------------------------------------------------------------

VIEW_MODULES = sorted(
    path
    for app in (
        "accounts",
        "workspace",
        "payments",
        "exams",
        "results",
        "archive",
        "registration",
        "eligibility",
        "courses",
        "rounds",
        "fees",
    )
    for path in [*(ROOT / app).glob("views.py"), *(ROOT / app).glob("views/*.py")]
)
OWN_CHECKS = {"login_required", "permission_required", "user_passes_test", "redirect_to_login"}
USER_TESTS = {"has_perm", "has_perms", "is_superuser", "is_staff", "groups"}
# Inside a wrapper, these make it an access check (a cache decorator that only asks
# `is_authenticated` to skip the cache is not one).
GUARD_WORDS = OWN_CHECKS | USER_TESTS | {"PermissionDenied", "roles", "access"}
# The one 403 page is rendered by the project's handler403.
HANDLER_MODULE = "registration/views/errors.py"


def _names(node) -> set[str]:
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
        elif isinstance(child, ast.Constant) and child.value == 403:
            found.add("403")
    return found


def own_access_checks(source: str) -> list[str]:
    """What in a view module looks like an access check of its own: a decorator whose wrapper
    (an inner function taking `request`) tests the user or refuses, Django's auth decorators, a
    redirect to the login page, a hand-rendered 403 page, or a permission/group test."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for inner in node.body:
                if (
                    isinstance(inner, ast.FunctionDef)
                    and inner.args.args
                    and inner.args.args[0].arg == "request"
                    and _names(inner) & (GUARD_WORDS | {"403"})
                ):
                    found.append(f"decorator {node.name}")
        if isinstance(node, ast.Name) and node.id in OWN_CHECKS:
            found.append(node.id)
        if isinstance(node, ast.Attribute) and node.attr in OWN_CHECKS | USER_TESTS:
            found.append(node.attr)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "no_access" in node.value or node.value == "403.html":
                found.append("hand-rendered 403")
    return found


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_module_defines_its_own_access_check(path):
    if str(path.relative_to(ROOT)) == HANDLER_MODULE:
        return
    assert own_access_checks(path.read_text()) == []


def test_the_scan_catches_a_hand_written_decorator():
    source = """
from functools import wraps
from django.contrib.auth.decorators import login_required

def finance_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("registration.add_payment"):
            return render(request, "registration/counselor/no_access.html", status=403)
        return view(request, *args, **kwargs)
    return wrapper

@login_required
def page(request):
    return None
"""
    found = own_access_checks(source)
    assert "decorator finance_required" in found
    assert "login_required" in found
    assert "has_perm" in found
    assert "hand-rendered 403" in found
    # A cache decorator that only skips signed-in users is not an access check.
    cache = """
def cached(view):
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return cache.get(request.path)
    return wrapper
"""
    assert own_access_checks(cache) == []
    groups = "def page(request):\n    groups = [1]\n    return groups\n"
    assert own_access_checks(groups) == []


def test_the_gate_refuses_with_permission_denied(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    @access.access_required(access.is_academic)
    def page(request):
        return "ok"

    request = rf.get("/x/")
    request.user = AnonymousUser()
    assert page(request).status_code == 302
    assert page.access_predicate is access.is_academic

    class Staffer:
        is_authenticated = True
        is_active = True
        is_superuser = False
        _kwt_group_names = frozenset({"辅导员"})

    request.user = Staffer()
    with pytest.raises(PermissionDenied):
        page(request)


def test_templates_ask_the_gate_not_permissions():
    """Buttons and links ask `gate.<predicate>` (accounts.context_processors), the same question
    as the page behind them; `perms.…` could show a link to a page that answers 403."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "admin" not in path.relative_to(ROOT / "templates").parts[:1]
        and "perms." in path.read_text()
    ]
    assert offenders == []


@pytest.mark.django_db
def test_gate_in_templates_answers_like_the_predicates():
    from accounts.context_processors import Gate

    world = staff_world()
    for role in ROLES:
        user = world["users"][role]
        gate = Gate(user)
        for name in Gate.PREDICATES:
            assert getattr(gate, name) == getattr(access, name)(user)
    with pytest.raises(AttributeError):
        _ = Gate(world["users"]["root"]).is_trainer_of
