"""What the dashboard and the monthly report show, shaped from ``stats_dashboard``'s figures: names instead of
codes, rates as percentages, and the ECharts data of each chart."""

from django.utils.translation import gettext as _

from xinyipi.accounts.access import sees_every_case
from xinyipi.accounts.models import Department
from xinyipi.applications.models import Mode
from xinyipi.catalog.models import Matter
from xinyipi.credit.models import CreditCheck
from xinyipi.ratings.models import Level
from xinyipi.stats.exporting import AROUND, COLUMNS, RATES, column_labels
from xinyipi.stats.figures import BREAKDOWNS
from xinyipi.stats.selectors import CONVENIENCES, StatsFilter


def names_of_keys() -> dict:
    """What a person reads for each breakdown's keys: department and matter names, mode and level labels."""
    return {
        "department": dict(Department.objects.values_list("code", "name")),
        "matter": dict(Matter.objects.values_list("code", "name")),
        "mode": {value: str(label) for value, label in Mode.choices},
        "credit_level": {value: str(label) for value, label in CreditCheck.Level.choices},
    }


def _shown(column: str, value):
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if column in RATES else value


def _period_label(chosen: StatsFilter) -> str:
    open_end = _("不限")
    period = f"{chosen.date_from or open_end} — {chosen.date_to or open_end}"
    return _("统计时段（按申请日期，北京时间，含首尾两天）：%(period)s") % {"period": period}


def filters_label(chosen: StatsFilter, names: dict) -> str:
    parts = [_period_label(chosen)]
    if chosen.department:
        parts.append(_("部门：%(v)s") % {"v": names["department"].get(chosen.department, chosen.department)})
    if chosen.matter:
        parts.append(_("事项：%(v)s") % {"v": names["matter"].get(chosen.matter, chosen.matter)})
    if chosen.mode:
        parts.append(_("办理模式：%(v)s") % {"v": names["mode"][chosen.mode]})
    return "；".join(parts)


def page_context(request, chosen: StatsFilter, figures: dict) -> dict:
    labels, names = column_labels(), names_of_keys()
    around = {**figures["supervision"], **figures["bookings"], **figures["ratings"]}
    tables = []
    for group_by in BREAKDOWNS:
        rows = figures["breakdowns"][group_by]
        tables.append(
            {
                "key": group_by,
                "title": labels[group_by],
                "headers": [labels[group_by], *(labels[c] for c in COLUMNS)],
                "rows": [
                    [names[group_by].get(r[group_by], r[group_by]), *(_shown(c, r[c]) for c in COLUMNS)] for r in rows
                ],
            }
        )
    totals = figures["totals"]
    top_waived = sorted(figures["breakdowns"]["matter"], key=lambda r: -r["certificates_not_fetched"])[:10]
    share_labels = {
        "commitment": _("告知承诺"),
        "tolerance": _("容缺受理"),
        "green_channel": _("绿色通道"),
        "instant": _("秒批"),
        "incentive_card": _("激励卡"),
    }
    chart = {
        "weekly": {
            "weeks": [row["week"].isoformat() for row in figures["weekly"]],
            "series": {
                str(labels[c]): [row[c] for row in figures["weekly"]] for c in ("applications", "decided", "approved")
            },
        },
        "modes": [
            {"name": names["mode"].get(r["mode"], r["mode"]), "value": r["applications"]}
            for r in figures["breakdowns"]["mode"]
        ],
        "departments": {
            "keys": [
                names["department"].get(r["department"], r["department"]) for r in figures["breakdowns"]["department"]
            ],
            "series": {
                str(labels[c]): [r[c] for r in figures["breakdowns"]["department"]]
                for c in ("applications", "approved")
            },
        },
        "rates": {
            "keys": [
                names["credit_level"].get(r["credit_level"], r["credit_level"])
                for r in figures["breakdowns"]["credit_level"]
            ],
            "series": {
                str(labels[c]): [r[c] for r in figures["breakdowns"]["credit_level"]]
                for c in ("fulfilment_rate", "breach_rate")
            },
        },
        "waived": {
            "keys": [
                names["matter"].get(r["matter"], r["matter"]) for r in top_waived if r["certificates_not_fetched"]
            ],
            "values": [r["certificates_not_fetched"] for r in top_waived if r["certificates_not_fetched"]],
        },
        "ratings": [
            {"name": str(Level(level).label), "value": n} for level, n in figures["ratings"]["ratings_by_level"].items()
        ],
    }
    whole = sees_every_case(request.user)
    return {
        "chosen": chosen,
        "filters_label": filters_label(chosen, names),
        "totals": totals,
        "headline": [
            (labels[c], _shown(c, totals[c]))
            for c in (
                "applications",
                "decided",
                "approved",
                "certificates_not_fetched",
                "tolerated_materials",
                "median_days_to_decision",
                "days_saved_per_case",
                "fulfilment_rate",
                "breach_rate",
            )
        ],
        "shares": [(share_labels[n], figures["shares"][n], totals[f"served_{n}"]) for n in CONVENIENCES],
        "around": [(labels[c], around[c]) for c in AROUND],
        "ratings_by_level": [(Level(level).label, n) for level, n in figures["ratings"]["ratings_by_level"].items()],
        "tables": tables,
        "chart": chart,
        "departments": sorted(names["department"].items(), key=lambda kv: kv[0]) if whole else [],
        "matters": Matter.objects.filter(**({} if whole else {"department_id": request.user.department_id}))
        .values_list("code", "name")
        .order_by("code"),
        "modes": Mode.choices,
        "query": request.GET.urlencode(),
    }
