"""The demo data set: every area contributes its own part, loaded in dependency order."""

from xinyipi.accounts.demo import DEMO_PASSWORD, load_demo_users


def load_demo() -> dict:
    from xinyipi.accounts.models import User
    from xinyipi.applications.demo import load_demo_applicants
    from xinyipi.catalog.demo import load_demo_catalog
    from xinyipi.credit.demo import load_demo_credit
    from xinyipi.supervision.demo import load_demo_supervision

    summary = []
    notes = []
    catalog = load_demo_catalog()
    summary.append(f"catalog: {catalog}")
    users = load_demo_users()
    credit = load_demo_credit()
    users += load_demo_applicants(actor=User.objects.get(username="admin"))
    summary.append(
        f"credit: {len(credit['subjects'])} subjects, {credit['records']} records, {len(credit['cards'])} cards"
    )
    summary += [f"supervision: {line}" for line in load_demo_supervision()]
    notes += ["", "Demo subjects for the credit check (/console/credit/, code or card number):"]
    notes += [f"  {s['code']}  {s['name']} — {s['note']}" for s in credit["subjects"]]
    notes += [
        "",
        "City list (/console/blacklist/, /console/credit-repairs/): 扎兰屯市北疆物流有限公司 has a proposal held by",
        "a pending objection; 扎兰屯市柴河林产品加工厂 is listed (失信) until its repair request is approved.",
    ]
    return {"summary": summary, "users": users, "password": DEMO_PASSWORD, "notes": notes}
