"""R13 on the console: the dashboard's table and chart data, and the Excel export read back."""

import io

import pytest
from openpyxl import load_workbook

from xinyipi.accounts import roles
from xinyipi.stats.tests.test_stats_api import cases  # noqa: F401


def test_r13_dashboard_shows_the_department_figures(cases, client, bureau_admin, department):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/", {"group_by": "department"})
    assert response.status_code == 200
    assert response.context["chart"]["keys"] == [department.name]  # names, not codes, for people
    assert response.context["chart"]["applications"] == [4]
    assert response.context["chart"]["approved"] == [2]
    assert "统计分析" in response.content.decode()
    approval = response.context["rows"][0][response.context["headers"].index("准予率")]
    assert approval.endswith("%")  # rates read as percentages


def test_r13_dashboard_filter_changes_the_figures(cases, client, bureau_admin):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/", {"from": "2025-01-01", "to": "2025-01-31"})
    assert response.context["chart"]["keys"] == []
    assert b'data-testid="stats-empty"' in response.content


def test_r13_a_department_with_no_cases_sees_an_empty_dashboard(cases, client, make_user, other_department):  # noqa: F811
    client.force_login(make_user(roles.REVIEWER, other_department))
    assert client.get("/console/stats/").context["rows"] == []


@pytest.mark.parametrize("role", [roles.WINDOW_CLERK, roles.CREDIT_OFFICER])
def test_r13_other_staff_are_refused_the_dashboard(client, make_user, department, role):
    client.force_login(make_user(role, department))
    assert client.get("/console/stats/").status_code == 403
    assert client.get("/console/stats/export.xlsx").status_code == 403


def test_r13_export_has_one_sheet_per_breakdown_with_numbers(cases, client, bureau_admin):  # noqa: F811
    client.force_login(bureau_admin)
    response = client.get("/console/stats/export.xlsx", {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["部门", "事项", "办理模式"]
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert "2026-03-01" in rows[0][0] and "2026-03-31" in rows[0][0]
        assert rows[1][1] == "申请数"
        assert sum(row[1] for row in rows[2:]) == 4
        assert all(isinstance(row[1], int) for row in rows[2:])
    modes = {row[0]: row for row in book["办理模式"].iter_rows(min_row=3, values_only=True)}
    assert modes["standard"][3] == 1  # approved
    assert modes["standard"][11] == 3.0  # median days to decision
