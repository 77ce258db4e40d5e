"""教务: the social candidates' interest list of a round (社会人员意向登记), as .xlsx, to call them
when a round opens to social candidates. Full phone numbers: 教务's job needs them."""

from django.views.decorators.http import require_GET
from openpyxl import Workbook

from accounts import access
from accounts.access import access_required
from common.xlsx import Column, local_naive, sheet_add, sheet_append
from registration.models import SocialInterest
from workspace.views.counselor import _picked_round, workbook_response

INTEREST_COLUMNS = [
    Column("序号", 6, lambda row: row[0], "int"),
    Column("姓名", 14, lambda row: row[1].name, "text"),
    Column("手机号", 16, lambda row: row[1].phone, "code"),
    Column("意向等级", 14, lambda row: row[2], "text"),
    Column("登记时间", 20, lambda row: local_naive(row[1].created_at), "datetime"),
]


@require_GET
@access_required(access.is_academic)
def social_interest_export(request):
    exam_round = _picked_round(request)
    levels = {level.code: level.name for level in exam_round.levels.all()} if exam_round else {}
    workbook = Workbook(write_only=True)
    sheet = sheet_add(workbook, "社会人员意向登记", INTEREST_COLUMNS)
    rows = SocialInterest.objects.filter(round=exam_round).order_by("created_at", "id")
    for index, interest in enumerate(rows.iterator(), 1):
        sheet_append(
            sheet, INTEREST_COLUMNS, (index, interest, levels.get(interest.level_code, "未定"))
        )
    return workbook_response(
        workbook,
        filename=f"{exam_round.title if exam_round else ''}-社会人员意向登记.xlsx",
        ascii_filename="social-interest.xlsx",
    )
