"""文号 of the documents a case produces: 机关代字〔年份〕序号号 per department and year (not the case number plus a
suffix), distinct under concurrent issue; and the same matter filed twice while a case of it is open."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from xinyipi.accounts.tests.factories import DepartmentFactory
from xinyipi.applications.models import CaseDocument, DocumentPrefix
from xinyipi.applications.numbers import document_number_next, document_prefix_fallback
from xinyipi.applications.services import application_decide, application_file, application_withdraw
from xinyipi.applications.tests.factories import standard_case
from xinyipi.applications.tests.test_concurrency import run_together
from xinyipi.applications.tests.test_deadlines import at
from xinyipi.core import clock
from xinyipi.core.errors import DomainError

OFFICIAL = re.compile(r"^(?P<prefix>[^〔]+)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


@pytest.mark.django_db
def test_documents_carry_the_department_prefix_year_and_a_yearly_sequence(
    clerk, reviewer, department, standard_matter, make_enterprise
):
    DocumentPrefix.objects.create(department=department, prefix="扎市监许")
    with clock.acting_at(at(dt.date(2026, 12, 30))):
        first = standard_case(clerk, standard_matter, make_enterprise())
        application_decide(actor=reviewer, application=first, outcome="approve", reason="")
        second = standard_case(clerk, standard_matter, make_enterprise())
        application_decide(actor=reviewer, application=second, outcome="reject", reason="条件不符")
    numbers = [CaseDocument.objects.get(application=a).number for a in (first, second)]
    assert numbers == ["扎市监许〔2026〕1号", "扎市监许〔2026〕2号"]
    assert not any(first.number in n for n in numbers)  # not the case number with a suffix
    with clock.acting_at(at(dt.date(2027, 1, 4))):
        third = standard_case(clerk, standard_matter, make_enterprise())
        application_decide(actor=reviewer, application=third, outcome="approve", reason="")
    assert CaseDocument.objects.get(application=third).number == "扎市监许〔2027〕1号"  # a new year starts at 1


@pytest.mark.django_db
def test_departments_number_apart_and_a_department_without_prefix_gets_one_from_its_short_name():
    market = DepartmentFactory(short_name="市场监管局")
    health = DepartmentFactory(short_name="卫健委")
    DocumentPrefix.objects.create(department=health, prefix="扎卫健许")
    on = dt.date(2026, 6, 1)
    with transaction.atomic():
        assert document_number_next(department=market, on=on) == "扎市场监管许〔2026〕1号"
        assert document_number_next(department=health, on=on) == "扎卫健许〔2026〕1号"
        assert document_number_next(department=market, on=on) == "扎市场监管许〔2026〕2号"
    assert document_prefix_fallback(DepartmentFactory(short_name="", name="扎兰屯市民政局")) == "扎民政许"


@pytest.mark.django_db
def test_the_bureau_edits_prefixes_in_the_admin_and_the_edit_is_audited(client, make_user, department):
    from xinyipi.accounts import roles
    from xinyipi.audit.models import AuditEntry

    admin = make_user(roles.BUREAU_ADMIN)
    client.force_login(admin)
    response = client.post(
        reverse("admin:applications_documentprefix_add"), {"department": department.pk, "prefix": "扎测许"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert DocumentPrefix.objects.get(department=department).prefix == "扎测许"
    assert AuditEntry.objects.filter(action="applications.document_prefix.save").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers():
    department = DepartmentFactory(short_name="交通运输局")
    DocumentPrefix.objects.create(department=department, prefix="扎交许")
    on = dt.date(2026, 6, 1)

    def issue():
        with transaction.atomic():
            return document_number_next(department=department, on=on)

    results = run_together(*[issue for _ in range(6)])
    assert all(isinstance(r, str) for r in results), results
    assert sorted(int(OFFICIAL.match(r)["seq"]) for r in results) == [1, 2, 3, 4, 5, 6]
    connection.close()


# The same matter twice -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_instant_approval_refused_while_a_case_of_the_matter_is_open(api_as, clerk, instant_matter, enterprise):
    first = application_file(
        actor=clerk, matter=instant_matter, subject=enterprise, mode="standard", materials=["A1"], channel="window"
    )
    assert first.status == "under_review"
    body = {"matter_code": instant_matter.code, "subject_code": enterprise.code_display, "mode": "instant"}
    refused = api_as(clerk).post("/api/v1/applications", {**body, "materials": ["A1"]})
    assert refused.status_code == 422
    assert refused.json()["code"] == "duplicate_open_case" and first.number in refused.json()["message"]
    assert refused.json()["open_case_number"] == first.number

    application_withdraw(actor=clerk, application=first, reason="申请人改为秒批办理")
    allowed = api_as(clerk).post("/api/v1/applications", {**body, "materials": ["A1"]})
    assert allowed.status_code == 201 and allowed.json()["status"] == "approved"


@pytest.mark.django_db
def test_other_modes_are_filed_with_a_warning(client, clerk, standard_matter, enterprise, applicant_for):
    first = standard_case(clerk, standard_matter, enterprise)
    second = standard_case(clerk, standard_matter, enterprise)  # filed: a human reviews it
    assert second.status == "under_review"
    with pytest.raises(DomainError):
        from xinyipi.applications.services.filing import duplicate_refuse

        duplicate_refuse(subject=enterprise, matter=standard_matter)

    client.force_login(applicant_for(enterprise))
    page = client.get(reverse("portal:apply", args=[standard_matter.code])).content.decode()
    assert 'data-testid="duplicate-warning"' in page and second.number in page
    client.force_login(clerk)
    response = client.post(
        reverse("applications:window"), {"query": enterprise.code_display, "matter": standard_matter.code}
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="duplicate-warning"' in page and (first.number in page or second.number in page)


@pytest.mark.django_db
def test_demo_departments_get_their_prefixes_and_an_edited_one_is_kept():
    from xinyipi.applications.demo import load_demo_document_prefixes

    market = DepartmentFactory(short_name="市场监管局")
    health = DepartmentFactory(short_name="卫健委")
    DocumentPrefix.objects.create(department=health, prefix="扎卫许")
    load_demo_document_prefixes()
    assert DocumentPrefix.objects.get(department=market).prefix == "扎市监许"
    assert DocumentPrefix.objects.get(department=health).prefix == "扎卫许"
