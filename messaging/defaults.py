"""The Chinese texts every event starts with (seeded by a data migration, then edited in admin).

Variables every event offers: `name` (the candidate's name), `round` (the round's title), `link`
(where to act, if any). Extra variables per event are listed in VARIABLES. No text may carry an
ID number: services never pass one, and `messaging.services` refuses a rendered text that holds one.
"""

from messaging.models import Event

COMMON_VARIABLES = ("name", "round", "link")
VARIABLES = {
    Event.REGISTRATION_RETURNED: ("reason",),
    Event.PHOTO_RETURNED: ("reason",),
    Event.SUPPLEMENT_INCOMPLETE: ("deadline", "days"),
    Event.PAYMENT_DUE: ("deadline", "days", "amount", "channel"),
    Event.PAYMENT_OVERDUE: ("deadline", "amount", "channel"),
    Event.PLAN_CHANGED: ("changes",),
    Event.RETAKE_OFFERED: ("subject",),
    Event.REMINDER: ("text", "sender"),
}

# event -> (title, body, essential)
DEFAULTS = {
    Event.REGISTRATION_CONFIRMED: (
        "报名已审核通过",
        "{{ name }}同学，您在“{{ round }}”的报名已审核通过。请按通知缴费并完成补充资料。",
        True,
    ),
    Event.REGISTRATION_RETURNED: (
        "报名被退回，请修改",
        "{{ name }}同学，您在“{{ round }}”的报名被退回，原因：{{ reason }}。"
        "请打开自助查询页修改后重新提交。",
        True,
    ),
    Event.PHOTO_RETURNED: (
        "证件照被退回，请重新上传",
        "{{ name }}同学，您上传的证件照未通过审核，原因：{{ reason }}。请在补充资料页重新上传。",
        True,
    ),
    Event.SUPPLEMENT_INCOMPLETE: (
        "补充资料尚未完成",
        "{{ name }}同学，“{{ round }}”的补充资料将于 {{ deadline }} 截止（还有 {{ days }} 天），"
        "您的资料尚未完成，请尽快补充。",
        False,
    ),
    Event.PAYMENT_DUE: (
        "缴费即将截止",
        "{{ name }}同学，“{{ round }}”的缴费将于 {{ deadline }} 截止（还有 {{ days }} 天），"
        "您尚有 {{ amount }} 未缴。缴费方式：{{ channel }}",
        False,
    ),
    Event.PAYMENT_OVERDUE: (
        "逾期未缴费",
        "{{ name }}同学，“{{ round }}”的缴费已于 {{ deadline }} 截止，您尚有 {{ amount }} 未缴，"
        "请尽快联系辅导员或考务老师。缴费方式：{{ channel }}",
        True,
    ),
    Event.TICKET_READY: (
        "准考证可以下载了",
        "{{ name }}同学，“{{ round }}”的准考证已生成，请在自助查询页下载并打印。",
        True,
    ),
    Event.PLAN_CHANGED: (
        "考试安排有变更",
        "{{ name }}同学，“{{ round }}”的考试安排有变更：{{ changes }}。请以自助查询页为准。",
        True,
    ),
    Event.RESULTS_PUBLISHED: (
        "成绩已公布",
        "{{ name }}同学，“{{ round }}”的成绩已公布，请在自助查询页查看。",
        True,
    ),
    Event.RETAKE_OFFERED: (
        "补考通知",
        "{{ name }}同学，您可以参加{{ subject }}补考，请打开链接报名：{{ link }}",
        True,
    ),
    Event.CERTIFICATE_READY: (
        "证书可以领取了",
        "{{ name }}同学，您“{{ round }}”的证书已可领取，请按自助查询页的说明领取。",
        True,
    ),
    Event.REMINDER: (
        "老师提醒",
        "{{ name }}同学：{{ text }}（{{ sender }}）",
        False,
    ),
}
