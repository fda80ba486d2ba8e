"""The demo data set: every area contributes its own part, loaded in dependency order."""

from xinyipi.accounts.demo import DEMO_PASSWORD, load_demo_users


def load_demo() -> dict:
    from xinyipi.catalog.demo import load_demo_catalog

    summary = []
    catalog = load_demo_catalog()
    summary.append(f"catalog: {catalog}")
    users = load_demo_users()
    return {"summary": summary, "users": users, "password": DEMO_PASSWORD, "notes": []}
