"""The college's 2022 announcement for the 电子商务师 exam, as data.

Texts are copied verbatim from the announcement (including its half-width punctuation); the loader
(`load_announcement`) writes them into the database idempotently.
"""

import datetime as dt
from decimal import Decimal

SESSION_SLUG = "dzsws-2022-1"

SESSION = {
    "title": "2022年上半年电子商务师职业技能等级认定",
    "occupation": "电子商务师",
    "organizer": "武汉交通职业学院",
    "is_published": True,
    "registration_opens": None,
    "registration_deadline": dt.date(2022, 5, 20),
    "exam_period": "2022年6月下旬（具体时间另行通知）",
    "exam_location": "校内实训室",
    "accepts_students": True,
    "accepts_social": False,
    "social_refusal_reason": "由于疫情原因,上半年暂不组织社会人员的考试",
    "consultation_qq": "2378470284",
    "consultation_days": "工作日",
    "consultation_start": dt.time(9, 30),
    "consultation_end": dt.time(16, 30),
    "consultation_note": "由于报名期间咨询人数较多,如果添加不成功或回复较慢请耐心等待,可稍后再试",
    "intro_text": "电子商务师是指利用计算机技术、网络技术,通过专业的网络商务平台等现代信息技术,帮助商家与顾客或商家与商家之间从事各类商务活动或相关工作的人员,是融IT与商务于一身的复合型人才。本职业技能共设五个等级,分别为:五级/初级工、四级/中级工、三级/高级工、二级/技师和一级/高级技师。\n2018年12月后,“放管服”改革后,电子商务师国家职业资格证书退出国家职业资格目录,不再由政府或其授权的单位认定发证,电子商务师改为由人社部严格筛选出的社会培训评价组织和用人单位进行证书的考核、制作、颁发。2021年经自主申报、专家遴选、信用核查、注册地人力资源和社会保障部门实地考核及征求社会各方面意见等程序,武汉交通职业学院成功入选职业技能等级认定第三方评价机构名单,面向“电子商务师”职业(工种)开展评价试点工作。\n《电子商务师职业技能等级证书》经人力资源和社会保障部备案,并在国家技能人才评价信息服务平台(http://pjjg.osta.org.cn)进行公示,与原电子商务师职业资格证书享有同等效力。人社部官网可查,全国通用,证书含金量高。",
    "value_text": "电子商务职业技能等级证书是对我们电商从业人员的能力肯定,有了它,升职加薪一路开挂,职场如鱼得水。\n纳税人接受技能人员职业资格继续教育的支出,在取得相关证书后,可享受每年3600元定额扣除职称评定待遇。\n具备高级工以上职业资格或职业技能等级的技能人才,均可参加职称评审。\n目前,多所高校纷纷出台“双师型”教师评选办法,明确要求教师参评须取得本专业职业技术资格证书或具备相应职业技能认定资格水平。\n作为急需紧缺工种,电子商务师对应的职业技能等级证书可享受各地技能人才落户政策,想留在大城市,这种机会可要抓住哦。",
    "eligibility_notes": "1.以上报考条件是社会人员报考条件,只能逐级进行,满足其中一条即可报考。由于疫情原因,上半年暂不组织社会人员的考试;\n2.本次考试只针对校内学生开展,武汉交通职业学院校相关专业,如电子商务、跨境电商、市场营销、酒店管理等专业大二、大三学生可以破格直接报考三级/高级工(如大二学生报考通过考试,进入大三即可取得证书),毕业前就有机会取得高级工,机会不容错过哦!!!",
    "training_audience": "已报名参加电子商务师三、四级考试人员。",
    "training_note": "课程内容、时间如有调整,以实际为准",
    "fee_payment_text": "费用缴纳流程和学生缴纳学费一样,由学校财务处设置收费专项,统一收取,考生按选择正确的费用项目即可。",
    "fee_note": "划重点:我校在校生参加培训但不收取培训费,只按武汉市统一标准收取考试报名费,在校生身份很重要哦!!!",
    "how_to_register_text": "本次考试报名由各班级辅导员统一组织,通过下列报名小程序扫码填写相关信息。\n如需咨询相关问题,也可添加工作人员QQ号:2378470284。咨询时间:工作日9:30-16:30(由于报名期间咨询人数较多,如果添加不成功或回复较慢请耐心等待,可稍后再试)。\n报名时间:截止2022年5月20日。",
}

# (code, name, short name) for all five national levels; the 2022 round offers 4 and 3.
LEVELS = [
    (5, "五级/初级工", "五级"),
    (4, "四级/中级工", "四级"),
    (3, "三级/高级工", "三级"),
    (2, "二级/技师", "二级"),
    (1, "一级/高级技师", "一级"),
]
OFFERED_LEVELS = [4, 3]

# Majors the announcement names as related ("等": admins extend the list). 电子商务 is the
# 电子商务师 occupation's own major (本专业), the others are 相关专业.
RELATED_MAJORS = ["电子商务", "跨境电商", "市场营销", "酒店管理"]
MAJOR_RELATIONS = {
    "电子商务": "same",
    "跨境电商": "related",
    "市场营销": "related",
    "酒店管理": "related",
}

# level -> [(module number, title, schedule, [(topic code, topic title), ...]), ...]
TRAINING = {
    4: [
        (1, "线上店铺设计与装修", "6月下旬", [("2.1", "装修元素制作"), ("2.2", "用户页面装修")]),
        (
            2,
            "营销推广",
            "6月下旬",
            [("3.1", "电商文案采编"), ("3.2", "短视频推广"), ("3.3", "网络直播推广")],
        ),
        (3, "业务处理", "6月下旬", [("4.1", "商品管理"), ("4.2", "订单管理")]),
        (4, "客户服务", "6月下旬", [("5.1", "智能客服训练"), ("5.2", "客户关系维护")]),
        (
            5,
            "商务数据分析",
            "6月下旬",
            [("6.1", "电子商务数据采集"), ("6.2", "电子商务数据清洗")],
        ),
    ],
    3: [
        (
            1,
            "视觉营销",
            "6月下旬",
            [("2.1", "整体风格设计"), ("2.2", "装修元素设计"), ("2.3", "用户页面设计")],
        ),
        (2, "营销推广", "6月下旬", [("3.1", "搜索引擎推广"), ("3.2", "信息流推广")]),
        (3, "业务处理", "6月下旬", [("4.1", "采购管理"), ("4.2", "销售管理")]),
        (4, "客户服务", "6月下旬", [("5.1", "社群管理"), ("5.2", "客户关系管理")]),
        (
            5,
            "商务数据分析",
            "6月下旬",
            [
                ("6.1", "电子商务数据加载"),
                ("6.2", "电子商务数据报表设计制作"),
                ("6.3", "电子商务数据统计分析"),
            ],
        ),
    ],
}

# Fee items: (level, candidate type, kind, training option, amount, class hours, description).
# The announcement gives no 三级 提高班 price, so that option is not offered (nothing invented).
FEES = [
    (4, "student", "registration", "", Decimal("260.00"), None, "按武汉市统一标准收取考试报名费"),
    (4, "social", "registration", "", Decimal("260.00"), None, "考试报名费"),
    (4, "student", "training", "free", Decimal("0.00"), None, "在校生参加培训不收取培训费"),
    (4, "social", "training", "intensive", Decimal("800.00"), 40, "强化班（40学时）"),
    (
        4,
        "social",
        "training",
        "improvement",
        Decimal("300.00"),
        None,
        "提高班（线上+线下集中1天学习）",
    ),
    (3, "student", "registration", "", Decimal("320.00"), None, "按武汉市统一标准收取考试报名费"),
    (3, "social", "registration", "", Decimal("320.00"), None, "考试报名费"),
    (3, "student", "training", "free", Decimal("0.00"), None, "在校生参加培训不收取培训费"),
    (3, "social", "training", "intensive", Decimal("1000.00"), 60, "强化班（60学时）"),
]

# The finance office sets the real charge-item names; these are the defaults an admin adjusts.
CHARGE_ITEM_NAMES = {
    ("registration", 4): "电子商务师四级/中级工考试报名费",
    ("registration", 3): "电子商务师三级/高级工考试报名费",
    ("training", 4): "电子商务师四级/中级工培训费",
    ("training", 3): "电子商务师三级/高级工培训费",
}

# "以上报考条件是社会人员报考条件": the eleven conditions are the social candidates'.
SOCIAL = ["social"]
# The college's reading for its in-school students (本次考试只针对校内学生开展; 在校生 training is
# free and open to everyone registered): every in-school student may register for 四级 and meets
# condition 4 (L4-4) by completing the college's 四级 training before the exam, so they are
# conditionally eligible; a final-year (应届) student of 本专业/相关专业 meets condition 3 (L4-3)
# outright. 三级 is open to them only through 破格 (L3-S). Admins change this per round.
SOCIAL_AND_STUDENTS = ["social", "student"]

# Eligibility conditions, verbatim wording; parameters as described in eligibility.models.
CONDITIONS = [
    {
        "level": 4,
        "code": "L4-1",
        "order": 1,
        "candidate_types": SOCIAL,
        "text": "在本职业连续工作3年以上。",
        "min_years": Decimal("3"),
        "years_basis": "continuous",
        "years_scope": "same",
    },
    {
        "level": 4,
        "code": "L4-2",
        "order": 2,
        "candidate_types": SOCIAL,
        "text": "取得本职业或相关职业五级/初级工职业资格证书(技能等级证书)后,"
        "累计从事本职业或相关职业工作1年(含)以上。",
        "prior_level": 5,
        "prior_scope": "same_or_related",
        "min_years_after_prior": Decimal("1"),
        "years_after_prior_basis": "cumulative",
    },
    {
        "level": 4,
        "code": "L4-3",
        "order": 3,
        "candidate_types": SOCIAL_AND_STUDENTS,
        "text": "取得技工学校本专业或相关专业毕业证书(含尚未取得毕业证书的在校应届毕业生);"
        "或取得经评估论证、以中级技能为培养目标的中等及以上职业学校本专业或相关专业毕业证书"
        "(含尚未取得毕业证书的在校应届毕业生)。",
        "school_kinds": ["technical_school", "vocational_intermediate", "college"],
        "major_relations": ["same", "related"],
        "allow_final_year": True,
    },
    {
        "level": 4,
        "code": "L4-4",
        "order": 4,
        "candidate_types": SOCIAL_AND_STUDENTS,
        "text": "经本职业四级/中级工正规培训达规定标准学时数,并取得结业证书。",
        "training_level": 4,
        "student_pending_requirement": "training",
    },
    {
        "level": 3,
        "code": "L3-1",
        "order": 1,
        "candidate_types": SOCIAL,
        "text": "在本职业连续工作6年以上。",
        "min_years": Decimal("6"),
        "years_basis": "continuous",
        "years_scope": "same",
    },
    {
        "level": 3,
        "code": "L3-2",
        "order": 2,
        "candidate_types": SOCIAL,
        "text": "具有以高级技能为培养目标的高级技工学校、技师学院和职业技术学院本专业毕业证书。",
        "school_kinds": ["college"],
        "major_relations": ["same"],
    },
    {
        "level": 3,
        "code": "L3-3",
        "order": 3,
        "candidate_types": SOCIAL,
        "text": "取得本职业四级/中级工职业资格证书后,连续从事本职业工作4年以上。",
        "prior_level": 4,
        "prior_scope": "same",
        "min_years_after_prior": Decimal("4"),
        "years_after_prior_basis": "continuous",
    },
    {
        "level": 3,
        "code": "L3-4",
        "order": 4,
        "candidate_types": SOCIAL,
        "text": "取得本职业四级/中级工职业资格证书后,连续从事本职业工作3年以上,"
        "经本职业三级/高级工正规培训达规定标准学时数,并取得结业证书。",
        "prior_level": 4,
        "prior_scope": "same",
        "min_years_after_prior": Decimal("3"),
        "years_after_prior_basis": "continuous",
        "training_level": 3,
    },
    {
        "level": 3,
        "code": "L3-5",
        "order": 5,
        "candidate_types": SOCIAL,
        "text": "具有本专业大学专科及以上毕业证书。",
        "school_kinds": ["college"],
        "major_relations": ["same"],
    },
    {
        "level": 3,
        "code": "L3-6",
        "order": 6,
        "candidate_types": SOCIAL,
        "text": "具有非本专业大学专科及以上毕业证书,连续从事本职业工作1年以上。",
        "school_kinds": ["college"],
        "major_relations": ["related", "unrelated"],
        "min_years": Decimal("1"),
        "years_basis": "continuous",
        "years_scope": "same",
    },
    {
        "level": 3,
        "code": "L3-7",
        "order": 7,
        "candidate_types": SOCIAL,
        "text": "具有非本专业大学专科及以上毕业证书,经本职业三级/高级工正规培训达规定标准学时数,"
        "并取得结业证书。",
        "school_kinds": ["college"],
        "major_relations": ["related", "unrelated"],
        "training_level": 3,
    },
    {
        "level": 3,
        "code": "L3-S",
        "order": 8,
        "candidate_types": ["student"],
        "text": "武汉交通职业学院校相关专业,如电子商务、跨境电商、市场营销、酒店管理等专业大二、"
        "大三学生可以破格直接报考三级/高级工。",
        "grades": [2, 3],
        "requires_related_major": True,
    },
]
