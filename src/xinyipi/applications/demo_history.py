"""Months of demo history, made through the services as the window, the departments and the credit officers
would have made it, working day after working day (development only).

Time travel is ``clock.acting_at``, the same override the deadline sweep's ``--now`` uses: every service reads
the time from ``core.clock``, so filing dates, working-day deadlines, reminders, listings and the statistics
kept inside the services' transactions are those of the day acted at. Each morning the deadline sweep runs
as at 08:30; then the window files the day's cases, the reviewers decide what is due, applicants bring
supplements and answers, the departments verify commitments and the credit officers answer objections and
repair requests. What happens to each case is drawn when it is filed from a seeded random generator, with
"bags" of outcomes so that even a small run shows every outcome: the same seed gives the same history.

Two story subjects have their own logins and a full credit history (checks, letters, a pledge, a breach, a
listing, a repair): a food company whose licence commitment proved false, and a person who never brought the
materials she pledged.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from stdnum.cn import ric

from xinyipi.accounts import roles
from xinyipi.accounts.demo import DEMO_PASSWORD
from xinyipi.accounts.models import User
from xinyipi.accounts.services import user_save
from xinyipi.applications.deadlines import deadlines_sweep
from xinyipi.applications.models import (
    Application,
    ApplicationMaterial,
    CorrectionRequest,
    Mode,
    Status,
    SubjectAgent,
)
from xinyipi.applications.services import (
    application_correction_answer,
    application_correction_request,
    application_credit_check,
    application_decide,
    application_file,
    application_modes,
    application_paper_receive,
    application_return,
    application_return_resolve,
    application_supplement,
    application_verify,
    application_withdraw,
    subject_agent_link,
)
from xinyipi.bookings.models import ServiceBooking
from xinyipi.bookings.services import booking_confirm, booking_done, booking_request, special_grant_give
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.errors import DomainError, InvalidTransition
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subjects_ensure
from xinyipi.subjects.validators import uscc_check_char, validate_subject_code
from xinyipi.supervision.models import BlacklistEntry, CreditRepair
from xinyipi.supervision.services import blacklist_propose
from xinyipi.supervision.services.objections import objection_decide, objection_file
from xinyipi.supervision.services.repairs import credit_repair_decide, credit_repair_request, repair_earliest_date
from xinyipi.workdays.calendar import add_working_days, is_working_day

HISTORY_DAYS = 140  # four months and a half: a general listing of the first weeks can be repaired
SEED = 2026
PER_DAY = (4, 8)  # cases filed at the window on a working day

STORY_COMPANY = ("enterprise", "91150783MA7XYP0116", "扎兰屯市林海食品有限公司")
STORY_PERSON = ("person", "150783196304150024", "赵淑芬")
STORY_LOGINS = [
    # username, display name, subject, relation, written authorisation
    (
        "linhai",
        "孙立新（林海食品经办人）",
        STORY_COMPANY,
        SubjectAgent.Relation.AGENT,
        "兹委托孙立新代表本公司办理政务服务事项，委托期限至 2026 年 12 月 31 日。",
    ),
    ("zhaoshufen", "赵淑芬", STORY_PERSON, SubjectAgent.Relation.LEGAL_REPRESENTATIVE, ""),
]

_TOWNS = [
    "雅鲁",
    "成吉思汗",
    "柴河",
    "卧牛河",
    "大河湾",
    "高台子",
    "中和",
    "浩饶山",
    "南木",
    "蘑菇气",
    "哈多河",
    "萨马街",
]
_TRADES = [
    ("餐饮服务", "有限公司"),
    ("食品商贸", "有限公司"),
    ("物流", "有限公司"),
    ("汽车维修", "服务部"),
    ("建筑工程", "有限公司"),
    ("文化传媒", "有限公司"),
    ("人力资源服务", "有限公司"),
    ("医药连锁", "有限公司"),
    ("旅游开发", "有限公司"),
    ("农牧业", "专业合作社"),
    ("宾馆", "有限公司"),
    ("燃气", "有限公司"),
]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
_GIVEN = [
    "建国",
    "淑芬",
    "海涛",
    "丽娟",
    "志强",
    "秀兰",
    "国庆",
    "桂英",
    "晓东",
    "玉梅",
    "宏伟",
    "春燕",
    "立军",
    "雪梅",
]

_MORNING, _FILING, _REVIEW, _WINDOW, _VERIFY, _CREDIT = (8, 30), (9, 0), (14, 0), (15, 0), (16, 0), (16, 30)


def _at(day: dt.date, hour_minute: tuple[int, int], minute: int = 0) -> dt.datetime:
    hour, start = hour_minute
    return dt.datetime.combine(day, dt.time(hour, start), tzinfo=clock.BEIJING) + dt.timedelta(minutes=minute)


def _working_from(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


class Bag:
    """Outcomes drawn without replacement from a refilled, shuffled bag: seeded, and every outcome turns up
    in proportion even in a short run (a coin would leave rare outcomes out of a small history)."""

    def __init__(self, rng: random.Random, weights: dict[str, int]):
        self.rng, self.weights, self.items = rng, weights, []

    def draw(self) -> str:
        if not self.items:
            self.items = [key for key, n in self.weights.items() for _ in range(n)]
            self.rng.shuffle(self.items)
        return self.items.pop()


@dataclass
class History:
    start: dt.date
    end: dt.date
    per_day: tuple[int, int]
    rng: random.Random
    agenda: dict = field(default_factory=lambda: defaultdict(list))
    counts: dict = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self):
        self.clerk = User.objects.get(username="clerk")
        self.officer = User.objects.get(username="credit")
        self.reviewers = {u.department_id: u for u in User.objects.filter(groups__name=roles.REVIEWER).order_by("id")}
        matters = Matter.objects.filter(status=Matter.Status.IN_USE, department_id__in=self.reviewers)
        self.matters = list(matters.prefetch_related("materials").order_by("code"))
        self.for_persons = [m for m in self.matters if "1" in (m.server_type or [])]
        self.for_enterprises = [m for m in self.matters if m not in self.for_persons]
        r = rng = self.rng
        self.review = Bag(r, {"approve": 14, "reject": 2, "correct": 2, "return": 1, "withdraw": 1})
        self.correction = Bag(r, {"answer": 4, "silence": 1})
        self.returned = Bag(r, {"resubmit": 2, "not_accept": 1})
        self.supplement = Bag(r, {"on_time": 6, "late": 2, "never": 1})
        self.verification = Bag(r, {"fulfilled": 8, "nonconforming": 2, "breached": 1})
        self.recheck = Bag(r, {"fulfilled": 2, "lapse": 1})
        self.objection = Bag(rng, {"none": 3, "dismiss": 1, "uphold": 1})
        self.repair = Bag(rng, {"approve": 3, "refuse": 1, "none": 1})
        # Entries already given their turn at the credit desk (an objection drawn; a repair drawn).
        self.seen_proposals: set[int] = set()
        self.seen_listings: set[int] = set()
        self.story_subjects: set[int] = set()  # their stories answer their own proposals and listings
        # Subjects with a demo login (the applicants' own subjects), filing online through their account.
        links = SubjectAgent.objects.filter(status=SubjectAgent.Status.VERIFIED).select_related("user")
        self.accounts = {link.subject_id: link.user for link in links.order_by("id")}

    # -- the calendar ---------------------------------------------------------------------------------

    def working_days(self):
        day = self.start
        while day < self.end:
            if is_working_day(day):
                yield day
            day += dt.timedelta(days=1)

    def later(self, day: dt.date, low: int, high: int) -> dt.date:
        return add_working_days(day, self.rng.randint(low, high)).date

    def plan(self, day: dt.date, slot, action, *args) -> None:
        self.agenda[day].append((slot, action, args))

    def run(self, subjects: list[Subject], stories) -> dict:
        for number, day in enumerate(self.working_days()):
            deadlines_sweep(now=_at(day, _MORNING))
            for minute, subject in enumerate(
                self.rng.sample(subjects, k=min(len(subjects), self.rng.randint(*self.per_day)))
            ):
                with clock.acting_at(_at(day, _FILING, minute * 17)):
                    self.file(subject, day)
            for story in stories:
                with clock.acting_at(_at(day, _FILING, 180)):
                    story(self, number, day)
            for slot, action, args in sorted(self.agenda.pop(day, []), key=lambda row: row[0]):
                with clock.acting_at(_at(day, slot)):
                    try:
                        action(self, day, *args)
                    except InvalidTransition:
                        self.counts["overtaken"] += 1  # the sweep or an earlier step moved the case first
            with clock.acting_at(_at(day, _CREDIT)):
                self.credit_desk(day)
        return dict(self.counts)

    # -- filing ----------------------------------------------------------------------------------------

    def file(self, subject: Subject, day: dt.date, *, matter=None, mode=None, actor=None, channel=None, plan=True):
        """File one case of ``subject`` (a matter fit for it, a mode its credit allows) and plan what follows
        (unless ``plan`` is false: a story plans its own). A subject with a demo login files online now and
        then; every other case is filed at the window."""
        if actor is None and subject.pk in self.accounts and self.rng.random() < 0.6:
            actor, channel = self.accounts[subject.pk], "online"
        actor, channel = actor or self.clerk, channel or "window"
        choices = self.for_persons if subject.kind == Subject.Kind.PERSON else self.for_enterprises
        matter = matter or self.rng.choice(choices)
        check = application_credit_check(actor=actor, subject=subject)
        allowed = [o.mode for o in application_modes(matter=matter, check=check) if o.allowed]
        if mode is None or mode not in allowed:
            preferred = [m for m in (Mode.INSTANT, Mode.COMMITMENT, Mode.TOLERANCE) if m in allowed]
            mode = self.rng.choice(preferred) if preferred and self.rng.random() < 0.7 else allowed[0]
        materials = list(matter.materials.all())
        codes = [m.code for m in materials]
        terms = {}
        if mode == Mode.COMMITMENT:
            replaced = [m.code for m in materials if m.certificate and m.replaceable]
            codes = [c for c in codes if c not in replaced]
            terms["commitment"] = {"certificates": replaced, "accepted": True}
        if mode == Mode.TOLERANCE:
            tolerable = [m.code for m in materials if m.tolerable]
            missing = self.rng.sample(tolerable, k=self.rng.randint(1, len(tolerable))) if tolerable else []
            codes = [c for c in codes if c not in missing]
            terms["supplement_pledge"] = {"accepted": True}
        try:
            case = application_file(
                actor=actor,
                matter=matter,
                subject=subject,
                mode=mode,
                materials=codes,
                channel=channel,
                paper=codes if channel == "online" else None,  # the demo's applicants bring paper, not files
                **terms,
            )
        except DomainError as refusal:
            if refusal.code != "duplicate_open_case":
                raise
            self.counts["refused_duplicate"] += 1  # the earlier case of the same matter is still open
            return None
        self.counts["filed"] += 1
        if plan:
            self.after_filing(case, day)
        return case

    def after_filing(self, case: Application, day: dt.date) -> None:
        if case.status == Status.UNDER_REVIEW:
            self.plan(self.later(day, 1, min(max(case.matter.promised_days, 2), 8)), _REVIEW, History.reviewed, case.pk)
        elif case.status == Status.AWAITING_SUPPLEMENT:
            outcome = self.supplement.draw()
            if outcome == "on_time":
                when = self.later(day, 1, max(case.matter.supplement_days - 1, 1))
            elif outcome == "late":  # after the reminder, within its grace period
                when = add_working_days(case.supplement_due, self.rng.randint(1, 2)).date
            else:
                return  # never: the sweep reminds, then terminates and proposes a listing
            self.plan(when, _WINDOW, History.supplied, case.pk)
        elif case.status == Status.APPROVED:
            self.plan_verification(case)

    def plan_verification(self, case: Application) -> None:
        if case.verification_due is None:
            return  # not a commitment case, or not drawn for a sampled verification
        due = case.verification_due
        when = _working_from(due - dt.timedelta(days=self.rng.randint(0, 25))) if self.rng.random() < 0.85 else due
        when = max(when, add_working_days(clock.today(), 1).date)
        if when == due:  # verified on the due day, after the morning sweep flagged it as due
            when = add_working_days(due, 1).date
        self.plan(when, _VERIFY, History.verified, case.pk, self.verification.draw())

    # -- the departments and the window ------------------------------------------------------------------

    def reviewer(self, case: Application) -> User:
        return self.reviewers[case.department_id]

    def reviewed(self, day, pk: int) -> None:
        case = Application.objects.select_related("matter", "subject").get(pk=pk)
        if case.status != Status.UNDER_REVIEW:
            return
        step = self.review.draw()
        reviewer = self.reviewer(case)
        if step == "correct" and not CorrectionRequest.objects.filter(application=case).exists():
            first = case.materials.order_by("id").first()
            application_correction_request(
                actor=reviewer,
                application=case,
                items=[{"material_code": first.code, "reason": "材料内容与营业执照登记信息不一致，请核对后重新提供。"}],
            )
            if self.correction.draw() == "answer":
                self.plan(self.later(day, 1, 4), _WINDOW, History.answered, pk)
            return
        if step == "return":
            application_return(
                actor=reviewer, application=case, reason="申请事项与实际经营项目不符，请窗口核实后重新受理。"
            )
            self.plan(self.later(day, 1, 2), _WINDOW, History.resolved, pk)
            return
        if step == "withdraw":
            application_withdraw(actor=self.clerk, application=case, reason="申请人提交书面撤回申请。")
            return
        if step == "reject" or (case.mode == Mode.KEY_REVIEW and self.rng.random() < 0.4):
            application_decide(
                actor=reviewer, application=case, outcome="reject", reason="经审查，申请人不符合法定条件，不予许可。"
            )
            return
        awaiting = [m.code for m in case.materials.all() if m.state == ApplicationMaterial.State.PAPER_AT_WINDOW]
        if awaiting:  # the applicant has brought the paper to the window by now
            application_paper_receive(actor=self.clerk, application=case, materials=awaiting)
        case = application_decide(actor=reviewer, application=case, outcome="approve", reason="")
        self.plan_verification(case)

    def answered(self, day, pk: int) -> None:
        case = Application.objects.get(pk=pk)
        if case.status != Status.CORRECTING:
            return
        codes = case.correction.item_codes
        application_correction_answer(actor=self.clerk, application=case, materials=codes, channel="window")
        self.plan(self.later(day, 1, 3), _REVIEW, History.reviewed, pk)

    def resolved(self, day, pk: int) -> None:
        case = Application.objects.get(pk=pk)
        if case.status != Status.RETURNED:
            return
        if self.returned.draw() == "resubmit":
            application_return_resolve(
                actor=self.clerk, application=case, outcome="resubmit", reason="已与申请人核实，事项选择无误。"
            )
            self.plan(self.later(day, 1, 3), _REVIEW, History.reviewed, pk)
        else:
            application_return_resolve(
                actor=self.clerk,
                application=case,
                outcome="not_accept",
                reason="该事项不属于本机关职权范围，请向呼伦贝尔市相关主管部门申请。",
            )

    def supplied(self, day, pk: int) -> None:
        case = Application.objects.get(pk=pk)
        missing = list(case.materials.filter(state=ApplicationMaterial.State.MISSING).values_list("code", flat=True))
        if case.status not in (Status.AWAITING_SUPPLEMENT, Status.REMINDED) or not missing:
            return
        case = application_supplement(actor=self.clerk, application=case, materials=missing)
        if case.status == Status.APPROVED:
            self.plan_verification(case)

    def verified(self, day, pk: int, outcome: str) -> None:
        case = Application.objects.select_related("matter").get(pk=pk)
        if case.status not in (Status.APPROVED, Status.VERIFYING, Status.RECTIFYING):
            return
        evidence = {
            "fulfilled": "实地核查：经营场所、设施设备与承诺一致，相关证明已通过数据共享核验。",
            "nonconforming": "实地核查：消防通道堆放杂物、卫生管理制度未上墙，尚不符合许可条件，未发现虚假承诺。",
            "breached": "经向发证机关核实，申请人承诺已取得的证明材料并不存在，承诺内容不实。",
        }[outcome]
        case = application_verify(actor=self.reviewer(case), application=case, outcome=outcome, evidence=evidence)
        if case.status == Status.RECTIFYING and self.recheck.draw() == "fulfilled":
            when = _working_from(case.rectification_due - dt.timedelta(days=self.rng.randint(1, 14)))
            self.plan(max(when, self.later(day, 1, 2)), _VERIFY, History.verified, pk, "fulfilled")

    # -- the credit officers ---------------------------------------------------------------------------

    def credit_desk(self, day: dt.date) -> None:
        """Proposals the sweep made get an objection now and then; listings past their minimum period may be
        repaired on request."""
        proposed = BlacklistEntry.objects.filter(status=BlacklistEntry.Status.PROPOSED).exclude(
            subject_id__in=self.story_subjects
        )
        for entry in proposed.exclude(pk__in=self.seen_proposals):
            self.seen_proposals.add(entry.pk)
            outcome = self.objection.draw()
            if outcome != "none":
                self.plan(self.later(day, 1, 2), _WINDOW, History.objected, entry.pk, outcome)
        listed = BlacklistEntry.objects.filter(status=BlacklistEntry.Status.LISTED).exclude(
            subject_id__in=self.story_subjects
        )
        for entry in listed.exclude(pk__in=self.seen_listings):
            if repair_earliest_date(entry, day)[0] > day:
                continue
            self.seen_listings.add(entry.pk)
            outcome = self.repair.draw()
            if outcome != "none":
                self.plan(self.later(day, 1, 10), _WINDOW, History.repair_asked, entry.pk, outcome)

    def objected(self, day, entry_pk: int, outcome: str) -> None:
        entry = BlacklistEntry.objects.get(pk=entry_pk)
        if entry.status != BlacklistEntry.Status.PROPOSED or clock.today() > entry.objection_due:
            return
        objection_file(
            entry=entry,
            actor=self.clerk,
            statement="对拟列入事由有异议，已补充提交相关证明，请予复核。",
            at_window=True,
        )
        self.plan(self.later(day, 1, 3), _CREDIT, History.objection_answered, entry_pk, outcome)

    def objection_answered(self, day, entry_pk: int, outcome: str) -> None:
        entry = BlacklistEntry.objects.get(pk=entry_pk)
        reason = "" if outcome == "uphold" else "异议人提交的材料不能证明已按期履行承诺，异议不成立。"
        objection_decide(entry=entry, actor=self.officer, outcome=outcome, reason=reason)

    def repair_asked(self, day, entry_pk: int, outcome: str, decide_in: int | None = None) -> None:
        entry = BlacklistEntry.objects.select_related("subject").get(pk=entry_pk)
        if entry.status != BlacklistEntry.Status.LISTED:
            return
        repair = credit_repair_request(
            subject=entry.subject,
            entry=entry,
            actor=self.clerk,
            statement="已纠正失信行为，补齐全部材料并履行相关义务，现申请信用修复。",
            at_window=True,
        )
        when = add_working_days(day, decide_in).date if decide_in else self.later(day, 2, 8)
        self.plan(when, _CREDIT, History.repair_decided, repair.pk, outcome)

    def repair_decided(self, day, repair_pk: int, outcome: str) -> None:
        repair = CreditRepair.objects.get(pk=repair_pk)
        reason = "" if outcome == "approve" else "未提交整改完成的证明材料，不符合信用修复条件。"
        credit_repair_decide(repair=repair, actor=self.officer, outcome=outcome, reason=reason)


# ---------------------------------------------------------------------------------------------------
# Subjects and the stories


def _history_subjects(rng: random.Random, *, enterprises: int, persons: int) -> list[Subject]:
    rows, names = [], set()
    for n in range(enterprises):
        town, (trade, form) = _TOWNS[n % len(_TOWNS)], _TRADES[(n * 5) % len(_TRADES)]
        name = f"扎兰屯市{town}{trade}{form}"
        if name in names:
            name = f"扎兰屯市{town}{rng.choice('兴盛顺鑫隆泰和丰')}{trade}{form}"
        names.add(name)
        body = f"91150783MA7H{n:05d}"
        rows.append(("enterprise", validate_subject_code("enterprise", body + uscc_check_char(body)), name))
    for n in range(persons):
        birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randint(0, 45 * 365))
        body = f"150783{birth:%Y%m%d}{300 + n:03d}"
        code = body + ric.calc_check_digit(body + "0")
        rows.append(("person", validate_subject_code("person", code), rng.choice(_SURNAMES) + rng.choice(_GIVEN)))
    codes = subjects_ensure(rows=rows, actor_label="load_demo")
    return list(Subject.objects.filter(pk__in=codes.values()).order_by("id"))


def _story_accounts(*, actor) -> tuple[list[dict], dict]:
    """The story subjects and their logins (idempotent); rows for the printed login table."""
    subjects_ensure(
        rows=[(kind, validate_subject_code(kind, code), name) for _l, _d, (kind, code, name), *_ in STORY_LOGINS],
        actor_label="load_demo",
    )
    group = Group.objects.get(name=roles.APPLICANT)
    rows, subjects = [], {}
    for username, display, (_kind, _code, name), relation, authorisation in STORY_LOGINS:
        subject = Subject.objects.filter(name=name).order_by("id").first()
        user = User.objects.filter(username=username).first() or User(username=username)
        user.display_name, user.is_active = display, True
        user.set_password(DEMO_PASSWORD)
        user_save(actor=actor, user=user, groups=[group])
        if not SubjectAgent.objects.filter(user=user, subject=subject).exists():
            subject_agent_link(actor=actor, user=user, subject=subject, relation=relation, authorisation=authorisation)
        subjects[username] = (user, subject)
        rows.append({"username": username, "role": str(roles.ROLE_LABELS[roles.APPLICANT]), "department": name})
    return rows, subjects


def _matter(name: str) -> Matter:
    return Matter.objects.prefetch_related("materials").get(name=name, status=Matter.Status.IN_USE)


def _company_story(user: User, subject: Subject):
    """林海食品: a food licence granted on its commitment (online), a pledge kept, then the verification finds
    the commitment false — revoked, proposed, objection dismissed, listed — and repaired after three months."""
    state = {}

    def story(history: History, number: int, day: dt.date) -> None:
        if number == 0:
            case = history.file(
                subject,
                day,
                matter=_matter("食品经营许可（新办）"),
                mode=Mode.COMMITMENT,
                actor=user,
                channel="online",
                plan=False,
            )
            state["licence"] = case.pk
            history.plan(history.later(day, 4, 4), _VERIFY, History.verified, case.pk, "breached")
        if number == 1:
            case = history.file(
                subject,
                day,
                matter=_matter("公共场所卫生许可（新办）"),
                mode=Mode.TOLERANCE,
                actor=user,
                channel="online",
                plan=False,
            )
            history.plan(history.later(day, 2, 2), _WINDOW, History.supplied, case.pk)
        if number == 2:
            history.file(
                subject, day, matter=_matter("仅销售预包装食品备案"), mode=Mode.INSTANT, actor=user, channel="online"
            )
        entry = BlacklistEntry.objects.filter(subject=subject, case_id=state.get("licence")).first()
        if entry is not None and "objected" not in state and entry.status == BlacklistEntry.Status.PROPOSED:
            state["objected"] = True
            history.seen_proposals.add(entry.pk)
            history.plan(history.later(day, 1, 1), _WINDOW, History.objected, entry.pk, "dismiss")
        if (
            entry is not None
            and entry.status == BlacklistEntry.Status.LISTED
            and repair_earliest_date(entry, day)[0] <= day
        ):
            history.seen_listings.add(entry.pk)
            if "repair" not in state:
                state["repair"] = True
                history.plan(day, _WINDOW, History.repair_asked, entry.pk, "approve", 1)

    return story


def _person_story(user: User, subject: Subject):
    """赵淑芬: unemployment benefit on a certificate commitment, then the subsistence allowance under tolerance
    with a pledge she never kept — reminded, terminated, listed; an assisted-service grant for special
    circumstances while listed, a booking used, and a repair after three months."""
    state = {}

    def story(history: History, number: int, day: dt.date) -> None:
        if number == 0:
            history.file(
                subject, day, matter=_matter("失业保险金申领"), mode=Mode.COMMITMENT, actor=user, channel="online"
            )
        if number == 1:
            history.file(
                subject,
                day,
                matter=_matter("最低生活保障审核确认"),
                mode=Mode.TOLERANCE,
                actor=user,
                channel="online",
                plan=False,
            )
        entry = BlacklistEntry.objects.filter(subject=subject).order_by("id").first()
        if entry is None:
            return
        history.seen_proposals.add(entry.pk)
        if entry.status == BlacklistEntry.Status.LISTED and "grant" not in state:
            state["grant"] = True
            with clock.acting_at(_at(day, _CREDIT)):
                special_grant_give(
                    actor=history.officer,
                    subject=subject,
                    kind=ServiceBooking.Kind.ASSISTED_SERVICE,
                    reason="申请人年逾六十、独居且行动不便，经社区证明，准予一次帮办代办服务。",
                )
            history.plan(history.later(day, 1, 1), _FILING, _book, user, subject)
        if entry.status == BlacklistEntry.Status.LISTED and repair_earliest_date(entry, day)[0] <= day:
            history.seen_listings.add(entry.pk)
            if "repair" not in state:
                state["repair"] = True
                history.plan(day, _WINDOW, History.repair_asked, entry.pk, "approve", 1)

    return story


def _book(history: History, day: dt.date, user: User, subject: Subject) -> None:
    """A booking of assisted service for the next working day, confirmed, and given that day."""
    on = add_working_days(day, 1).date
    booking = booking_request(
        actor=user,
        subject=subject,
        kind=ServiceBooking.Kind.ASSISTED_SERVICE,
        date=on.isoformat(),
        slot="morning",
        phone="13947001234",
        note="请工作人员协助办理最低生活保障材料补充。",
    )
    booking_confirm(actor=history.clerk, booking=booking)
    history.plan(
        on, _REVIEW, lambda h, d, pk: booking_done(actor=h.clerk, booking=ServiceBooking.objects.get(pk=pk)), booking.pk
    )


def load_demo_history(
    *,
    days: int = HISTORY_DAYS,
    per_day: tuple[int, int] = PER_DAY,
    seed: int = SEED,
    enterprises: int = 48,
    persons: int = 24,
) -> dict:
    """Make ``days`` calendar days of history ending yesterday; returns the printed summary and the logins.

    Call it on a database with the demo catalog, accounts and credit data loaded and no case yet.
    """
    rng = random.Random(seed)
    admin = User.objects.get(username="admin")
    logins, story = _story_accounts(actor=admin)
    subjects = _history_subjects(rng, enterprises=enterprises, persons=persons)
    # Subjects of the credit demo that show other levels, and the demo applicants' own (filing online).
    others = ["扎兰屯市鸿运建材有限公司", "扎兰屯市森海木业有限公司", "扎兰屯市雅鲁河餐饮管理有限公司", "王雅琴"]
    subjects += list(Subject.objects.filter(name__in=others).order_by("id"))
    end = clock.today()
    history = History(start=end - dt.timedelta(days=days), end=end, per_day=per_day, rng=rng)
    stories = [_company_story(*story["linhai"]), _person_story(*story["zhaoshufen"])]
    history.story_subjects = {subject.pk for _user, subject in story.values()}
    # A minor listing of the first week, proposed by the credit officer: it ends by itself after three months.
    minor = subjects[len(subjects) // 3]
    with clock.acting_at(_at(add_working_days(history.start, 1).date, _CREDIT)):
        entry = blacklist_propose(
            subject=minor,
            reason=BlacklistEntry.Reason.OTHER,
            reason_text="在政务服务中提供的联系电话、经营地址长期无法联系核实，经公告仍未更正",
            evidence="公告送达记录；现场核查记录",
            severity=BlacklistEntry.Severity.MINOR,
            actor=history.officer,
        )
    history.seen_proposals.add(entry.pk)
    history.seen_listings.add(entry.pk)
    counts = history.run(subjects, stories)
    return {"counts": counts, "logins": logins, "from": history.start, "to": end}
