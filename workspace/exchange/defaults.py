"""The shipped layouts: plain data (header, field key, width), installed by migration
`workspace/0002_default_exchange_layouts` and used as the fallback when a kind has no default in
the database. Where each column comes from: docs/exchange.md. None of them is an official
template: we had no public one to copy; admins adjust a copy per province.
"""

CANDIDATE_SOURCE = (
    "考务通内置：列来自 issue 15 第 5 条所列字段（证件类型、证件号码、姓名、性别、民族、文化程度、"
    "考生来源、职业、等级、各科考试类型、申报条件、照片文件名）与原“国家平台上报”导出的列；"
    "并非官方模板，请按本省平台下载的模板复制后调整。"
)
SCORE_SOURCE = (
    "考务通内置：列来自 issue 15 第 5 条（证件号码、姓名、等级、理论知识成绩、操作技能成绩、"
    "缺考/违纪标记、结果）；并非官方模板，请按本省平台要求复制后调整。"
)
CERTIFICATE_SOURCE = (
    "考务通内置：按常见证书名单的表头（证件号码、姓名、证书编号、发证日期）；"
    "并非官方模板，请按本省平台导出的名单表头复制后调整。"
)

# (header, field key, width)
CANDIDATE_COLUMNS = [
    ("序号", "seq", 6),
    ("职业工种名称", "occupation", 14),
    ("认定等级", "level", 14),
    ("申报条件", "condition", 40),
    ("证件类型", "id_type", 12),
    ("证件号码", "id_number", 21),
    ("姓名", "name", 10),
    ("性别", "gender", 6),
    ("出生日期", "birth_date", 12),
    ("手机号码", "phone", 14),
    ("文化程度", "education", 10),
    ("考生来源", "source", 10),
    ("所在单位", "unit", 24),
    ("专业", "major", 14),
    ("考试类型", "exam_type", 10),
    ("民族", "ethnicity", 8),
    ("理论知识考试类型", "exam_type_theory", 12),
    ("操作技能考试类型", "exam_type_skill", 12),
    ("照片文件名", "photo", 24),
]
SCORE_COLUMNS = [
    ("序号", "seq", 6),
    ("证件类型", "id_type", 12),
    ("证件号码", "id_number", 21),
    ("姓名", "name", 10),
    ("职业工种名称", "occupation", 14),
    ("认定等级", "level", 14),
    ("准考证号", "ticket", 16),
    ("理论知识成绩", "theory_points", 12),
    ("理论知识考试状态", "theory_mark", 12),
    ("操作技能成绩", "skill_points", 12),
    ("操作技能考试状态", "skill_mark", 12),
    ("补考", "retake", 12),
    ("结果", "result", 10),
]
CERTIFICATE_COLUMNS = [
    ("证件号码", "id_number", 21),
    ("姓名", "name", 10),
    ("证书编号", "number", 24),
    ("发证日期", "issued_on", 12),
]

DEFAULT_LAYOUTS = {
    "candidates": ("考生信息表（考务通内置）", CANDIDATE_SOURCE, CANDIDATE_COLUMNS),
    "scores": ("成绩表（考务通内置）", SCORE_SOURCE, SCORE_COLUMNS),
    "certificates": ("证书名单（考务通内置）", CERTIFICATE_SOURCE, CERTIFICATE_COLUMNS),
}


def install(layout_model, column_model) -> int:
    """Create each kind's shipped layout unless a layout of that name exists; idempotent.
    Takes the model classes so a migration can pass its historical models. Returns how many
    layouts it created."""
    created = 0
    for kind, (name, source, columns) in DEFAULT_LAYOUTS.items():
        if layout_model.objects.filter(kind=kind, name=name).exists():
            continue
        has_default = layout_model.objects.filter(kind=kind, is_default=True).exists()
        layout = layout_model.objects.create(
            kind=kind, name=name, source=source, is_default=not has_default
        )
        column_model.objects.bulk_create(
            column_model(layout=layout, position=i, header=h, field_key=k, width=w)
            for i, (h, k, w) in enumerate(columns, 1)
        )
        created += 1
    return created
