"""R13 on the console: the dashboard's figures and chart data, the Excel export read back, the monthly report."""

import io

import pytest
from openpyxl import load_workbook

from xinyipi.accounts import roles
from xinyipi.stats.tests.test_stats_api import cases  # noqa: F401


def test_r13_dashboard_shows_the_department_figures(cases, client, bureau_admin, department):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/")
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["departments"]["keys"] == [department.name]  # names, not codes, for people
    assert list(chart["departments"]["series"].values()) == [[4], [2]]
    assert chart["weekly"]["weeks"] == ["2026-03-02"]
    assert {item["value"] for item in chart["modes"]} == {2, 1}
    assert chart["waived"]["values"] == [1]
    headline = dict(response.context["headline"])
    assert (headline["申请数"], headline["准予件数"], headline["免交证明份数"]) == (4, 2, 1)
    table = next(t for t in response.context["tables"] if t["key"] == "department")
    approval = table["rows"][0][table["headers"].index("准予率")]
    assert approval == "66.7%"  # rates read as percentages
    assert "统计分析" in response.content.decode()


def test_r13_dashboard_filter_changes_the_figures(cases, client, bureau_admin, standard_matter):  # noqa: F811
    client.force_login(bureau_admin)
    assert dict(client.get("/console/stats/", {"matter": standard_matter.code}).context["headline"])["申请数"] == 2
    assert dict(client.get("/console/stats/", {"mode": "tolerance"}).context["headline"])["申请数"] == 1
    response = client.get("/console/stats/", {"from": "2025-01-01", "to": "2025-01-31"})
    assert response.context["chart"]["weekly"]["weeks"] == []
    assert b'data-testid="stats-empty"' in response.content


def test_r13_dashboard_names_a_bad_filter_and_ignores_it(cases, client, bureau_admin):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/", {"from": "2026-13-01", "mode": "colour"})
    assert response.status_code == 200
    assert any("from" in e for e in response.context["errors"])
    assert any("mode" in e for e in response.context["errors"])
    assert dict(response.context["headline"])["申请数"] == 4


def test_r13_a_department_with_no_cases_sees_an_empty_dashboard(cases, client, make_user, other_department):  # noqa: F811
    client.force_login(make_user(roles.REVIEWER, other_department))
    response = client.get("/console/stats/")
    assert all(not table["rows"] for table in response.context["tables"])
    assert response.context["departments"] == []  # no other department to choose


@pytest.mark.parametrize("role", [roles.WINDOW_CLERK, roles.CREDIT_OFFICER])
def test_r13_other_staff_are_refused_the_dashboard(client, make_user, department, role):
    client.force_login(make_user(role, department))
    for url in ("/console/stats/", "/console/stats/export.xlsx", "/console/stats/report/"):
        assert client.get(url).status_code == 403


def test_r13_export_has_the_expected_sheets_and_totals(cases, client, bureau_admin):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/export.xlsx", {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总览", "周趋势", "部门", "事项", "办理模式", "信用等级"]
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert "2026-03-01" in rows[0][0] and "2026-03-31" in rows[0][0]  # the filters in the header row
    overview = {row[0]: row[1] for row in book["总览"].iter_rows(min_row=3, values_only=True)}
    assert (overview["申请数"], overview["准予件数"], overview["免交证明份数"], overview["容缺材料份数"]) == (
        4,
        2,
        1,
        2,
    )
    for name in ("部门", "事项", "办理模式", "信用等级"):
        rows = list(book[name].iter_rows(min_row=3, values_only=True))
        assert rows[0][0] is not None
        assert sum(row[1] for row in rows) == 4  # every breakdown adds up to the total
        assert all(isinstance(row[1], int) for row in rows)
    modes = {row[0]: row for row in book["办理模式"].iter_rows(min_row=3, values_only=True)}
    header = next(book["办理模式"].iter_rows(min_row=2, max_row=2, values_only=True))
    standard = modes["一般办理"]
    assert standard[header.index("准予件数")] == 1
    assert standard[header.index("准予率")] == 0.5  # a number, shown as a percentage
    assert standard[header.index("决定用时中位数（天）")] == 3.0
    assert book["办理模式"].cell(row=3, column=header.index("准予率") + 1).number_format == "0.0%"


def test_r13_monthly_report_prints_the_month(cases, client, bureau_admin):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/report/", {"month": "2026-03"})
    assert response.status_code == 200
    assert response.context["chosen"].date_from.isoformat() == "2026-03-01"
    assert response.context["chosen"].date_to.isoformat() == "2026-03-31"
    assert dict(response.context["headline"])["申请数"] == 4
    assert "2026年3月" in response.content.decode()
    february = client.get("/console/stats/report/", {"month": "2026-02"})
    assert dict(february.context["headline"])["申请数"] == 0


def test_r13_monthly_report_refuses_a_bad_month(client, bureau_admin):
    client.force_login(bureau_admin)
    assert client.get("/console/stats/report/", {"month": "2026-3x"}).status_code == 404


def test_r13_monthly_report_prints_to_pdf_where_chromium_is_installed(cases, client, bureau_admin):  # noqa: F811
    from xinyipi.applications import printing

    client.force_login(bureau_admin)
    response = client.get("/console/stats/report.pdf", {"month": "2026-03"})
    if not printing.pdf_available():
        assert response.status_code == 404  # the HTML page stays printable from any browser
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
