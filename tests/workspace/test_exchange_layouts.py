"""Exchange layouts as data: the shipped defaults, copy (the original unchanged), validation of
field keys against the code registry, the admin, and the candidate sheet rendered from a layout."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from registration.services.supplement import photo_upload
from tests.workspace.xlsx_helpers import response_bytes
from workspace.exchange import defaults, registry, services
from workspace.exchange.render import layout_of
from workspace.models import ExchangeColumn, ExchangeLayout, LayoutKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shipped_layouts(db):
    """The shipped layouts, as migration workspace/0002 installs them (idempotent). A
    transactional test run earlier in the suite empties the tables a data migration filled."""
    from workspace.exchange import defaults as shipped
    from workspace.models import ExchangeColumn as Column
    from workspace.models import ExchangeLayout as Layout

    shipped.install(Layout, Column)


def _jpeg() -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (716, 882), (200, 20, 20)).save(output, "JPEG")
    return output.getvalue()


def _sheet(response):
    wb = load_workbook(io.BytesIO(response_bytes(response)))
    return wb["报名信息"]


def _export(client, school_class, **params):
    url = reverse("registration:counselor_class_export", args=[school_class.pk])
    return client.get(url, {"layout": "national", **params})


def test_defaults_are_installed_once_per_kind_with_registered_keys():
    for kind in LayoutKind.values:
        layout = ExchangeLayout.objects.get(kind=kind, is_default=True)
        for column in layout.columns.all():
            column.full_clean()  # every shipped key is in the registry
        assert layout.source  # the shipped layout names where its columns come from
    assert defaults.install(ExchangeLayout, ExchangeColumn) == 0  # idempotent
    assert ExchangeLayout.objects.count() == 3


def test_candidate_default_has_every_column_the_issue_lists():
    headers = [c.header for c in layout_of(LayoutKind.CANDIDATES).columns.all()]
    for wanted in [
        "证件类型", "证件号码", "姓名", "性别", "民族", "文化程度", "考生来源", "职业工种名称",
        "认定等级", "理论知识考试类型", "操作技能考试类型", "申报条件", "照片文件名",
    ]:  # fmt: skip
        assert wanted in headers


def test_layout_copy_leaves_the_original_unchanged():
    original = layout_of(LayoutKind.CANDIDATES)
    before = [(c.position, c.header, c.field_key, c.width) for c in original.columns.all()]
    copy = services.layout_copy(layout=original, province="浙江省")
    assert copy.pk != original.pk and not copy.is_default and copy.copied_from == original
    assert copy.name == f"{original.name}（副本）" and copy.province == "浙江省"
    assert [(c.position, c.header, c.field_key, c.width) for c in copy.columns.all()] == before
    copy.columns.filter(field_key="phone").delete()
    copy.columns.filter(field_key="name").update(header="考生姓名")
    original.refresh_from_db()
    assert [(c.position, c.header, c.field_key, c.width) for c in original.columns.all()] == before
    assert original.is_default
    assert services.layout_copy(layout=original).name == f"{original.name}（副本2）"
    assert copy.history.count() == 1


def test_layout_copy_refuses_a_taken_name():
    original = layout_of(LayoutKind.SCORES)
    with pytest.raises(services.LayoutError) as refused:
        services.layout_copy(layout=original, name=original.name)
    assert "同名" in refused.value.message


def test_a_column_only_uses_registered_keys_of_its_kind():
    layout = layout_of(LayoutKind.CANDIDATES)
    column = ExchangeColumn(layout=layout, position=99, header="银行卡号", field_key="bank_card")
    with pytest.raises(ValidationError) as refused:
        column.full_clean()
    assert "不是考生信息表可用的字段" in str(refused.value)
    # A key of another kind is refused too: theory points are not a candidate field.
    column.field_key = "theory_points"
    with pytest.raises(ValidationError):
        column.full_clean()
    column.field_key = "ethnicity"
    column.full_clean()


def test_make_default_moves_the_flag():
    original = layout_of(LayoutKind.CANDIDATES)
    copy = services.layout_copy(layout=original, name="浙江", province="浙江省")
    services.layout_make_default(layout=copy)
    original.refresh_from_db()
    assert not original.is_default and layout_of(LayoutKind.CANDIDATES) == copy


def test_results_registers_score_fields_without_workspace_importing_results():
    assert {"theory_points", "skill_points", "result"} <= set(
        registry.fields_of(registry.KIND_SCORES)
    )
    assert {"id_number", "number", "issued_on", "name"} <= set(
        registry.fields_of(registry.KIND_CERTIFICATES)
    )


def test_candidate_sheet_fills_every_column_for_a_complete_candidate(
    client, counselor, exam_round, own_class, make_registration
):
    registration = make_registration(
        exam_round=exam_round,
        school_class=own_class,
        matched_condition_text="具有本专业大学专科及以上毕业证书",
        ethnicity="汉族",
        education="college",
        phone="13800000000",
    )
    photo_upload(registration=registration, data=_jpeg())
    client.force_login(counselor)
    ws = _sheet(_export(client, own_class))
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in layout_of(LayoutKind.CANDIDATES).columns.all()]
    row = dict(zip(headers, [c for c in ws[2]], strict=True))
    empty = [h for h, cell in row.items() if cell.value in (None, "")]
    assert empty == []
    assert row["证件号码"].data_type == "s" and row["证件号码"].value == registration.id_number
    assert row["证件号码"].number_format == "@"
    assert row["出生日期"].is_date
    assert row["照片文件名"].value == f"{registration.id_number}.jpg"
    assert row["理论知识考试类型"].value == "新考"


def test_a_province_copy_with_reordered_and_renamed_columns_changes_the_output(
    client, counselor, exam_round, own_class, make_registration
):
    registration = make_registration(exam_round=exam_round, school_class=own_class, name="王五")
    copy = services.layout_copy(layout=layout_of(LayoutKind.CANDIDATES), province="江苏省")
    copy.columns.exclude(field_key__in=["id_number", "name", "seq"]).delete()
    copy.columns.filter(field_key="name").update(position=1, header="考生姓名")
    copy.columns.filter(field_key="id_number").update(position=2, header="身份证件号")
    copy.columns.filter(field_key="seq").update(position=3)
    client.force_login(counselor)
    ws = _sheet(_export(client, own_class, template=copy.pk))
    assert [c.value for c in ws[1]] == ["考生姓名", "身份证件号", "序号"]
    assert [c.value for c in ws[2]] == ["王五", registration.id_number, 1]
    assert ws["B2"].data_type == "s"
    # The default still gives the shipped columns; an unknown template falls back to it.
    default = _sheet(_export(client, own_class, template=999999))
    assert default["A1"].value == "序号" and default.max_column > 3


def test_candidate_sheet_neutralises_formula_text(
    client, counselor, exam_round, own_class, make_registration
):
    make_registration(
        exam_round=exam_round,
        school_class=own_class,
        matched_condition_text='=HYPERLINK("http://x")',
        work_unit="+1+1",
        ethnicity="@SUM(A1)",
    )
    client.force_login(counselor)
    ws = _sheet(_export(client, own_class))
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                assert cell.data_type == "s" and cell.quotePrefix


def test_admin_lists_edits_columns_and_copies(admin_client):
    original = layout_of(LayoutKind.CERTIFICATES)
    changelist = reverse("admin:workspace_exchangelayout_changelist")
    assert "证书名单（考务通内置）" in admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist,
        {"action": "copy_action", "_selected_action": [original.pk]},
        follow=True,
    )
    assert "原模板未改动" in response.content.decode()
    copy = ExchangeLayout.objects.get(copied_from=original)
    change = reverse("admin:workspace_exchangelayout_change", args=[copy.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and "证书编号（必需）" in page.content.decode()
    columns = list(copy.columns.all())
    data = {
        "kind": copy.kind,
        "name": "广东省证书名单",
        "province": "广东省",
        "source": "广东省平台导出的名单表头（2026 年）",
        "columns-TOTAL_FORMS": str(len(columns)),
        "columns-INITIAL_FORMS": str(len(columns)),
        "columns-MIN_NUM_FORMS": "0",
        "columns-MAX_NUM_FORMS": "1000",
    }
    for i, column in enumerate(columns):
        data.update(
            {
                f"columns-{i}-id": str(column.pk),
                f"columns-{i}-layout": str(copy.pk),
                f"columns-{i}-position": str(column.position),
                f"columns-{i}-header": column.header,
                f"columns-{i}-field_key": column.field_key,
                f"columns-{i}-width": str(column.width),
            }
        )
    data["columns-2-header"] = "证书号码"
    data["columns-0-field_key"] = "theory_points"  # not a certificate field: refused
    refused = admin_client.post(change, data)
    assert refused.status_code == 200
    assert "theory_points" in refused.content.decode()
    copy.refresh_from_db()
    assert copy.name != "广东省证书名单"
    data["columns-0-field_key"] = "id_number"
    assert admin_client.post(change, data).status_code == 302
    copy.refresh_from_db()
    assert copy.name == "广东省证书名单"
    assert copy.columns.get(field_key="number").header == "证书号码"
    assert original.columns.get(field_key="number").header == "证书编号"
