"""Code names of what a credit check can find (DESIGN.md §2 style: one name everywhere).

The seven categories of the local credit store are what public credit lists publish (legal-basis.md §7);
three more are found by other sources: the city's own blacklist and a false commitment in effect (both
from ``supervision``), and a valid 纳税信用联合激励卡.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ABNORMAL_OPERATIONS = "abnormal_operations", _("经营异常名录")
    SERIOUS_VIOLATION = "serious_violation", _("严重违法失信名单")
    SERIOUS_DISHONESTY = "serious_dishonesty", _("严重失信主体名单")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("行政处罚")
    DISHONEST_JUDGMENT_DEBTOR = "dishonest_judgment_debtor", _("失信被执行人")
    MAJOR_TAX_VIOLATION = "major_tax_violation", _("重大税收违法失信主体")
    TAX_CREDIT_GRADE = "tax_credit_grade", _("纳税信用等级")


STORE_CATEGORIES = tuple(Category.values)

CITY_BLACKLIST = "city_blacklist"
FALSE_COMMITMENT = "false_commitment"
INCENTIVE_CARD = "incentive_card"

FINDING_LABELS = {
    **{c.value: c.label for c in Category},
    CITY_BLACKLIST: _("全市政务服务信用监管黑名单"),
    FALSE_COMMITMENT: _("不实承诺（尚未信用修复）"),
    INCENTIVE_CARD: _("纳税信用联合激励卡"),
}


class Severity(models.TextChoices):
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    M = "M", "M"
    C = "C", "C"
    D = "D", "D"


class Level(models.TextChoices):
    EXEMPLARY = "exemplary", _("守信激励")
    GOOD = "good", _("信用良好")
    ORDINARY = "ordinary", _("一般")
    DISHONEST = "dishonest", _("失信")


class Entitlement(models.TextChoices):
    GREEN_CHANNEL = "green_channel", _("绿色通道")
    INSTANT_APPROVAL = "instant_approval", _("秒批")
    COMMITMENT = "commitment", _("告知承诺")
    TOLERANCE = "tolerance", _("容缺受理")
    ONSITE_SERVICE = "onsite_service", _("上门服务")
    ASSISTED_SERVICE = "assisted_service", _("帮办代办")


class Purpose(models.TextChoices):
    APPLICATION = "application", _("办件受理")
    WINDOW_ENQUIRY = "window_enquiry", _("窗口查询")
    SUPERVISION = "supervision", _("信用监管")


class SourceStatus(models.TextChoices):
    OK = "ok", _("已查询")
    NOT_APPLICABLE = "not_applicable", _("不适用")
    ERROR = "error", _("查询失败")
    TIMEOUT = "timeout", _("查询超时")
    CIRCUIT_OPEN = "circuit_open", _("暂停查询（熔断）")


# A source in one of these states did not answer: the check is incomplete unless a manual entry covers it.
FAILED_STATUSES = frozenset({SourceStatus.ERROR, SourceStatus.TIMEOUT, SourceStatus.CIRCUIT_OPEN})
