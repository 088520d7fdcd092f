#!/usr/bin/env python3
"""Generate facts.csv: one year (2023) of assessment facts for the 49 units.

生成示例事实数据：2023年度49个单位的政务绩效考评事实记录。

Deterministic: standard library only, fixed seed, so every run writes the same
bytes. Reads subjects.csv next to this script and writes facts.csv next to it.
The fact types, fields, enum values and scorer ids are those of
Rules/city_units.yaml; keep the two in step.

    python3 Examples/city_units/generate.py
"""

import csv
import datetime as dt
import os
import random

SEED = 2023
HERE = os.path.dirname(os.path.abspath(__file__))
YEAR_START = dt.date(2023, 1, 1)
YEAR_END = dt.date(2023, 12, 31)

# --- the calendar of Rules/city_units.yaml (国办发明电〔2022〕16号) -----------------


def _span(a, b):
    a, b = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
    return {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}


HOLIDAYS = (
    _span("2023-01-01", "2023-01-02")
    | _span("2023-01-21", "2023-01-27")
    | _span("2023-04-05", "2023-04-05")
    | _span("2023-04-29", "2023-05-03")
    | _span("2023-06-22", "2023-06-24")
    | _span("2023-09-29", "2023-10-06")
)
ADJUSTED_WORKDAYS = {
    dt.date.fromisoformat(d)
    for d in ["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06",
              "2023-06-25", "2023-10-07", "2023-10-08"]
}


def is_workday(d):
    if d in ADJUSTED_WORKDAYS:
        return True
    if d in HOLIDAYS:
        return False
    return d.weekday() < 5


def workdays(a, b):
    """Working days d with a < d <= b (the rule file's workdays(a, b))."""
    n, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        n += is_workday(d)
    return n


def add_workdays(d, n):
    """The n-th working day after d (n >= 1), or d itself for n == 0."""
    while n > 0:
        d += dt.timedelta(days=1)
        if is_workday(d):
            n -= 1
    return d


def sub_workdays(d, n):
    while n > 0:
        d -= dt.timedelta(days=1)
        if is_workday(d):
            n -= 1
    return d


def random_day(rng, start=YEAR_START, end=YEAR_END, workday=True):
    while True:
        d = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        if not workday or is_workday(d):
            return d


# --- small random helpers ------------------------------------------------------


def poisson(rng, lam):
    """Knuth's method; lam is small here."""
    if lam <= 0:
        return 0
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def pick(rng, weighted):
    """weighted: list of (value, weight)."""
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for value, w in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][0]


# --- vocabulary ---------------------------------------------------------------

# What each unit's honours, criticisms and meetings are about (业务领域).
TOPICS = {
    "district": ["乡村振兴", "营商环境优化", "安全生产", "民族团结进步创建", "平安建设",
                 "项目建设", "城市更新", "基层治理"],
    "U08": ["重大项目谋划", "营商环境优化", "粮食安全"], "U09": ["工业经济运行", "数字经济", "节能降耗"],
    "U10": ["预算绩效管理", "财政资金直达", "政府债务管理"], "U11": ["招商引资", "外贸稳增长", "消费促进"],
    "U12": ["统计数据质量", "经济普查", "统计执法"], "U13": ["国企改革", "国有资产监管", "国企党建"],
    "U14": ["新能源项目建设", "能源保供", "煤炭安全生产"], "U15": ["粮食生产", "农牧业产业化", "动物防疫"],
    "U16": ["森林草原防灭火", "国土绿化", "草原生态保护"], "U17": ["国土空间规划", "耕地保护", "不动产登记"],
    "U18": ["生态环境保护", "大气污染防治", "中央环保督察整改"], "U19": ["城市更新", "老旧小区改造", "建筑安全"],
    "U20": ["公路建设", "农村牧区公路", "交通运输安全"], "U21": ["防汛抗旱", "河湖长制", "农村牧区饮水安全"],
    "U22": ["人防工程建设", "防空警报试鸣", "人防宣传教育"], "U23": ["教育质量提升", "“双减”", "校园安全"],
    "U24": ["科技创新", "科技成果转化", "高新技术企业培育"], "U25": ["社会救助", "养老服务", "婚姻登记"],
    "U26": ["就业创业", "根治欠薪", "社会保障卡应用"], "U27": ["文旅融合", "全民健身", "文物保护"],
    "U28": ["公共卫生", "健康城市建设", "医疗服务提升"], "U29": ["退役军人服务保障", "双拥共建", "优抚安置"],
    "U30": ["医保基金监管", "医保支付改革", "医保经办服务"], "U31": ["民族团结进步创建", "铸牢中华民族共同体意识", "民族语言文字"],
    "U32": ["平安建设", "打击电信网络诈骗", "道路交通安全"], "U33": ["法治政府建设", "人民调解", "行政复议"],
    "U34": ["安全生产", "防灾减灾", "应急救援"], "U35": ["食品安全", "知识产权保护", "特种设备安全"],
    "U36": ["审计监督", "审计整改", "经济责任审计"], "U37": ["城市精细化管理", "违法建设治理", "市容环境整治"],
    "U38": ["政务服务“一网通办”", "数字政府建设", "“12345”热线"], "U39": ["信访", "矛盾纠纷化解", "积案化解"],
    "U40": ["外事服务", "友城交流", "涉外安全"], "U41": ["节约型机关建设", "公共机构节能", "公务用车管理"],
    "U42": ["金融风险防范", "企业上市培育", "普惠金融"], "U43": ["驻京联络服务", "招商引资", "信访维稳"],
    "U44": ["新闻宣传", "媒体融合", "网络舆论引导"], "U45": ["住房公积金服务", "公积金风险防控", "跨省通办"],
    "U46": ["公共资源交易", "电子招投标", "交易监管"], "U47": ["招商引资", "项目落地服务", "投资环境推介"],
    "U48": ["供销社综合改革", "农资保供", "农村牧区流通网络"], "U49": ["园区建设", "园区招商", "园区安全生产"],
}
LEVEL_PLACE = {"国家级": "全国", "自治区级": "全区", "市级": "全市"}
LEVEL_GOV = {"国家级": "国务院", "自治区级": "自治区人民政府", "市级": "市委、市政府"}
LEVEL_OFFICE = {"国家级": "国务院办公厅", "自治区级": "自治区人民政府办公厅", "市级": "市人民政府办公室"}
ORIGINS = [("国家交办", 15), ("自治区交办", 30), ("主要领导交办", 30), ("会议议定事项", 25)]
ORIGIN_NOTE = {
    "国家交办": "国务院大督查反馈问题整改",
    "自治区交办": "自治区政府督查室交办事项",
    "主要领导交办": "市长批示件办理",
    "会议议定事项": "市政府常务会议议定事项",
}
MEETINGS = ["市政府常务会议", "市政府全体会议", "全市重点项目调度会", "全市视频会议", "市政府专题会议"]
DOCS = ["请示", "工作报告", "工作总结", "汇报材料", "会议发言材料", "督查反馈报告"]

# --- roster and unit profiles -------------------------------------------------


def read_subjects():
    with open(os.path.join(HERE, "subjects.csv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Fact:
    __slots__ = ("subject", "type", "date", "source", "note", "fields", "ref", "id", "seq")

    def __init__(self, subject, type_, date, source, note, **fields):
        self.subject, self.type, self.date = subject, type_, date
        self.source, self.note, self.fields = source, note, fields
        self.ref = None  # a Fact, for `rectified`
        self.id = None


def generate(subjects):
    rng = random.Random(SEED)
    facts = []

    def add(*args, **kw):
        f = Fact(*args, **kw)
        facts.append(f)
        return f

    # A latent "performance" per unit in [-1, 1]: better units earn more
    # bonuses and fewer deductions, so that ranks differ in a plausible way.
    quality = {s["id"]: round(rng.uniform(-1.0, 1.0), 3) for s in subjects}
    names = {s["id"]: s["name"] for s in subjects}
    leads = [s["id"] for s in subjects if s["group"] in ("economy", "urban")]

    for s in subjects:
        u, q, g = s["id"], quality[s["id"]], s["group"]
        topics = TOPICS.get(u) or TOPICS[g]

        def topic(topics=topics):
            return rng.choice(topics)

        busy = 1.5 if g == "district" else 1.0       # districts carry more tasks and honours
        up = max(0.15, 1.0 + 0.8 * q)                 # bonus multiplier
        down = max(0.15, 1.0 - 0.8 * q)               # deduction multiplier

        # 交办任务（督办台账）：每件办结时记一条，date = 办结日期
        for _ in range(int(rng.randint(6, 11) * busy)):
            origin = pick(rng, ORIGINS)
            assigned = random_day(rng, YEAR_START, dt.date(2023, 11, 24))
            due = add_workdays(assigned, rng.choice([3, 5, 5, 10, 10, 15, 20]))
            if rng.random() < min(0.25, max(0.03, 0.10 * down)):
                late = pick(rng, [(1, 30), (2, 25), (3, 15), (4, 10), (5, 8), (7, 6), (10, 4), (12, 2)])
                done = add_workdays(due, late)
                verdict = f"逾期{late}个工作日办结"
            else:
                done = max(sub_workdays(due, rng.choice([0, 0, 0, 1, 2, 3])), add_workdays(assigned, 1))
                verdict = "按时办结"
            if done > dt.date(2023, 12, 29):
                continue
            source, who = "supervision", ""
            if rng.random() < 0.15:
                source, lead = "lead_department", rng.choice([x for x in leads if x != u])
                who = f"{names[lead]}牵头调度，"
            add(u, "task", done, source, f"{who}{ORIGIN_NOTE[origin]}，{verdict}",
                origin=origin, due=due, done=done)

        # 上级表彰、表扬
        for _ in range(poisson(rng, 0.35 * up * busy)):
            level = pick(rng, [("国家级", 8), ("自治区级", 42), ("市级", 50)])
            add(u, "honor", random_day(rng), rng.choice(["organization", "assessment"]),
                f"{LEVEL_GOV[level]}表彰：{LEVEL_PLACE[level]}{topic()}工作先进集体", kind="表彰", level=level)
        for _ in range(poisson(rng, 1.1 * up * busy)):
            level = pick(rng, [("国家级", 6), ("自治区级", 40), ("市级", 54)])
            text = ("市委、市政府主要领导批示肯定" if level == "市级" else f"{LEVEL_OFFICE[level]}通报表扬")
            add(u, "honor", random_day(rng), "assessment", f"{text}：{topic()}工作成效明显",
                kind="表扬", level=level)

        # 获奖
        for _ in range(poisson(rng, 0.7 * up)):
            level = pick(rng, [("国家级", 10), ("自治区级", 45), ("市级", 45)])
            prize = rng.choice(["一等奖", "二等奖", "三等奖", "优秀案例奖"])
            add(u, "award", random_day(rng), "assessment",
                f"获{LEVEL_PLACE[level]}{topic()}创新案例评选{prize}", level=level)

        # 上级考核排名（只记前三、后三）
        for _ in range(poisson(rng, 0.6)):
            level = "自治区级" if g == "district" else pick(rng, [("国家级", 15), ("自治区级", 85)])
            if level == "国家级":
                out_of, what = 293, f"全国地级以上城市{topic()}工作评估"
            elif g == "district":
                out_of, what = 103, f"全区旗县（市、区）{topic()}工作考核"
            else:
                out_of, what = 12, f"全区12个盟市{topic()}工作考核"
            top = rng.random() < 0.55 + 0.35 * q
            position = rng.randint(1, 3) if top else out_of - rng.randint(0, 2)
            add(u, "assessment_rank", random_day(rng), "assessment",
                f"{what}排名第{position}位（共{out_of}个）", level=level, position=position, out_of=out_of)

        # 创新争先：试点、典型发言、经验推广、现场会观摩会
        for _ in range(poisson(rng, 0.25 * up)):
            level = pick(rng, [("国家级", 30), ("自治区级", 70)])
            name = "国家级" if level == "国家级" else "自治区级"
            add(u, "pilot", random_day(rng), "assessment",
                f"获批{name}{topic()}试点", level=level)
        for _ in range(poisson(rng, 0.45 * up)):
            level = pick(rng, [("国家级", 10), ("自治区级", 50), ("市级", 40)])
            add(u, "speech", random_day(rng), "assessment",
                f"在{LEVEL_PLACE[level]}{topic()}工作会议上作典型发言", level=level)
        for _ in range(poisson(rng, 0.55 * up)):
            level = pick(rng, [("国家级", 15), ("自治区级", 45), ("市级", 40)])
            sources = [("assessment", 50), ("information", 35)] + ([("publicity", 15)] if level != "市级" else [])
            source = pick(rng, sources)
            media = "人民日报、学习强国平台" if level == "国家级" else "自治区党报、草原全媒"
            carrier = {"assessment": f"{LEVEL_OFFICE[level]}发文推广",
                       "information": f"{LEVEL_OFFICE[level]}政务信息刊发推广",
                       "publicity": f"{media}报道推广"}[source]
            add(u, "experience", random_day(rng), source,
                f"{topic()}经验做法被{carrier}", level=level)
        for _ in range(poisson(rng, (0.6 if g == "district" else 0.15) * up)):
            level = pick(rng, [("国家级", 5), ("自治区级", 35), ("市级", 60)])
            kind = rng.choice(["现场会", "观摩会"])
            add(u, "site_meeting", random_day(rng), "assessment",
                f"承办{LEVEL_PLACE[level]}{topic()}工作{kind}", kind=kind, level=level)

        # 上级批评、通报批评
        for _ in range(poisson(rng, 0.45 * down)):
            level = pick(rng, [("国家级", 4), ("自治区级", 36), ("市级", 60)])
            who = {"国家级": "国家部委督查反馈", "自治区级": "自治区政府督查室",
                   "市级": "市政府常务会议"}[level]
            add(u, "criticism", random_day(rng), rng.choice(["assessment", "supervision"]),
                f"{who}点名批评：{topic()}工作推进缓慢", kind="批评", level=level)
        for _ in range(poisson(rng, 0.25 * down)):
            level = pick(rng, [("国家级", 4), ("自治区级", 36), ("市级", 60)])
            add(u, "criticism", random_day(rng), rng.choice(["assessment", "supervision"]),
                f"{LEVEL_OFFICE[level]}通报批评：{topic()}工作落实不力",
                kind="通报批评", level=level)

        # 办理质量问题
        for _ in range(poisson(rng, 0.6 * down)):
            issue = pick(rng, [("质量不高", 45), ("敷衍应付", 30), ("推诿扯皮", 15), ("中梗阻", 10)])
            origin = pick(rng, ORIGINS)
            text = {"质量不高": "办理结果未达到要求，退回重办",
                    "敷衍应付": "反馈材料照搬照抄，敷衍应付",
                    "推诿扯皮": "与相关部门推诿扯皮，事项推进受阻",
                    "中梗阻": "审批环节中梗阻，企业诉求长期未办结"}[issue]
            source, who = "supervision", ""
            if rng.random() < 0.2:
                source, lead = "lead_department", rng.choice([x for x in leads if x != u])
                who = f"{names[lead]}牵头调度，"
            add(u, "task_issue", random_day(rng), source,
                f"{who}{ORIGIN_NOTE[origin]}：{text}", origin=origin, issue=issue)

        # 文稿质量
        for _ in range(poisson(rng, 1.2 * down)):
            problem = pick(rng, [("文字差错", 35), ("格式不规范", 30), ("数据不准确", 15), ("被退文", 12), ("内容失实", 8)])
            add(u, "document_issue", random_day(rng), "secretariat",
                f"报送市政府的{rng.choice(DOCS)}{problem}", problem=problem)

        # 报送时效（只记超时）
        for _ in range(poisson(rng, 1.0 * down)):
            item = pick(rng, [("政务信息", 30), ("工作总结", 20), ("统计报表", 20), ("督查反馈", 20), ("会议材料", 10)])
            due = random_day(rng, YEAR_START, dt.date(2023, 12, 15))
            late = pick(rng, [(1, 45), (2, 25), (3, 15), (5, 10), (8, 5)])
            done = add_workdays(due, late)
            add(u, "late_submission", done, "information" if item == "政务信息" else "secretariat",
                f"{item}超过时限{late}个工作日报送", item=item, due=due, done=done)

        # 会风会纪
        for _ in range(poisson(rng, 0.6 * down)):
            kind = pick(rng, [("无故缺席", 15), ("替会", 25), ("迟到早退", 40), ("会场违纪", 20)])
            add(u, "meeting_violation", random_day(rng), "secretariat",
                f"{rng.choice(MEETINGS)}：{kind}", kind=kind)

    # A few delays that span public holidays (春节、劳动节、端午、国庆).
    spanning = [
        ("U03", "2023-01-20", "2023-01-30", "自治区交办"),   # 春节：调休上班日 01-28、01-29 计入
        ("U12", "2023-04-28", "2023-05-08", "会议议定事项"),  # 劳动节：05-06 调休上班
        ("U20", "2023-06-21", "2023-06-28", "主要领导交办"),  # 端午节：06-25 调休上班
        ("U35", "2023-09-28", "2023-10-10", "国家交办"),     # 中秋国庆：10-07、10-08 调休上班
        ("U26", "2023-09-27", "2023-10-09", "自治区交办"),
        ("U06", "2023-04-04", "2023-04-07", "会议议定事项"),  # 清明节
    ]
    for u, due, done, origin in spanning:
        due, done = dt.date.fromisoformat(due), dt.date.fromisoformat(done)
        n = workdays(due, done)
        add(u, "task", done, "supervision",
            f"{ORIGIN_NOTE[origin]}，逾期{n}个工作日办结（跨节假日，{(done - due).days}个自然日）",
            origin=origin, due=due, done=done)

    # Showcases for caps: a unit whose 创先争优 bonuses pass the 100-point maximum,
    # and a quarter in which one unit's 文稿质量 deductions pass the 10-point cap.
    add("U18", "honor", dt.date(2023, 11, 20), "organization",
        "国务院表彰：全国生态环境保护工作先进集体", kind="表彰", level="国家级")
    add("U18", "award", dt.date(2023, 12, 12), "assessment",
        "获全国大气污染防治创新案例评选一等奖", level="国家级")
    add("U18", "assessment_rank", dt.date(2023, 12, 20), "assessment",
        "全国地级以上城市生态环境保护工作评估排名第2位（共293个）", level="国家级", position=2, out_of=293)
    add("U18", "honor", dt.date(2023, 12, 22), "organization",
        "自治区人民政府表彰：全区中央环保督察整改工作先进集体", kind="表彰", level="自治区级")
    for day, problem in [("2023-10-16", "内容失实"), ("2023-10-27", "被退文"), ("2023-11-08", "数据不准确"),
                         ("2023-11-21", "内容失实"), ("2023-12-05", "被退文"), ("2023-12-14", "格式不规范")]:
        add("U46", "document_issue", dt.date.fromisoformat(day), "secretariat",
            f"报送市政府的{rng.choice(DOCS)}{problem}", problem=problem)

    # 重大工作失误（一票否决）：两个单位。
    add("U34", "major_error", dt.date(2023, 8, 17), "supervision",
        "辖区企业发生较大生产安全事故，经调查认定负有监管责任", kind="安全生产责任事故")
    add("U05", "major_error", dt.date(2023, 11, 6), "supervision",
        "群众诉求处置不当引发重大舆情，被自治区通报", kind="重大舆情处置失当")

    # 整改到位、销除扣分：可销除的扣分（上级批评、办理质量问题），约四成整改到位。
    cancellable = [f for f in facts
                   if (f.type == "criticism" and f.fields["kind"] == "批评") or f.type == "task_issue"]
    cancellable.sort(key=lambda f: (f.date, f.subject, f.note))
    for target in cancellable:
        if rng.random() < 0.4:
            when = add_workdays(target.date, rng.randint(5, 30))
            if when > YEAR_END:
                continue
            r = add(target.subject, "rectified", when, "supervision",
                    "整改到位，经市政府督查室复核销除扣分")
            r.ref = target

    # Ids by (date, subject, type, note) so that the file reads as a ledger in time order.
    order = {t: i for i, t in enumerate([
        "honor", "award", "assessment_rank", "pilot", "speech", "experience", "site_meeting",
        "criticism", "task", "task_issue", "document_issue", "late_submission",
        "meeting_violation", "rectified", "major_error"])}
    for i, f in enumerate(facts):
        f.seq = i
    facts.sort(key=lambda f: (f.date, f.subject, order[f.type], f.seq))
    for i, f in enumerate(facts, 1):
        f.id = f"f{i:04d}"
    for f in facts:
        if f.ref is not None:
            f.note = f"{f.note}（{f.ref.id}）"
    return facts


COLUMNS = ["id", "subject", "type", "date", "source", "note",
           "kind", "level", "position", "out_of", "origin", "due", "done",
           "issue", "problem", "item", "ref"]


def write(facts):
    path = os.path.join(HERE, "facts.csv")
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS)
        for f in facts:
            row = {"id": f.id, "subject": f.subject, "type": f.type, "date": f.date.isoformat(),
                   "source": f.source, "note": f.note}
            for k, v in f.fields.items():
                row[k] = v.isoformat() if isinstance(v, dt.date) else str(v)
            if f.ref is not None:
                row["ref"] = f.ref.id
            w.writerow([row.get(c, "") for c in COLUMNS])
    return path


if __name__ == "__main__":
    facts = generate(read_subjects())
    path = write(facts)
    print(f"wrote {len(facts)} facts to {os.path.relpath(path)}")
