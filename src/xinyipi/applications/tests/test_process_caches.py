"""The per-process copies on the filing path (``core.caches``): the matter with its materials, the current
letter template and a token user's permissions. Whatever changes them — the admin in this process, or another
process that only leaves a new generation behind — the next request works from the new data."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xinyipi.accounts import roles
from xinyipi.applications.models import CaseDocument, LetterKind, LetterTemplate
from xinyipi.catalog.models import Matter
from xinyipi.core import clock
from xinyipi.core.caches import CATALOG, generation, generation_bump

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications"


def _post(client, matter, subject, materials=("A1",)):
    body = {"matter_code": matter.code, "subject_code": subject.code_display, "mode": "instant"}
    return client.post(URL, body | {"materials": list(materials)})


def test_r10_matter_taken_out_of_use_is_refused_at_the_next_filing(api_as, clerk, instant_matter, make_enterprise):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise()).status_code == 201  # the matter is now kept
    instant_matter.status = Matter.Status.SUSPENDED
    instant_matter.save(update_fields=["status"])

    response = _post(client, instant_matter, make_enterprise())

    assert response.status_code == 422
    assert response.json()["code"] == "matter_not_in_use"


def test_r10_change_left_by_another_process_is_seen_at_the_next_filing(api_as, clerk, instant_matter, make_enterprise):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise()).status_code == 201
    # Another process writes with update() (no signal here) and leaves only the new generation behind.
    Matter.objects.filter(pk=instant_matter.pk).update(status=Matter.Status.SUSPENDED)
    assert _post(client, instant_matter, make_enterprise()).status_code == 201  # this process's copy
    generation_bump(CATALOG)

    assert _post(client, instant_matter, make_enterprise()).json()["code"] == "matter_not_in_use"


def test_r10_new_material_is_known_at_the_next_filing(api_as, clerk, instant_matter, make_enterprise):
    from xinyipi.catalog.tests.factories import MaterialFactory

    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise(), ["A1", "B9"]).json()["code"] == "unknown_material"
    MaterialFactory(matter=instant_matter, code="B9", name="补充说明", essential=False)

    assert _post(client, instant_matter, make_enterprise(), ["A1", "B9"]).status_code == 201


def test_r10_new_letter_template_is_used_by_the_next_decision(api_as, clerk, instant_matter, make_enterprise):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise()).status_code == 201
    LetterTemplate.objects.create(
        kind=LetterKind.APPROVAL_DECISION,
        matter=instant_matter,
        version=1,
        body="准予许可决定书 {{ case.number }} 本事项专用文本",
        created_at=clock.now(),
        created_by_label="test",
    )

    case_id = _post(client, instant_matter, make_enterprise()).json()["id"]

    assert "本事项专用文本" in CaseDocument.objects.get(application_id=case_id).text


def test_rolled_back_change_leaves_a_generation_never_seen_again():
    before = generation(CATALOG)
    with pytest.raises(RuntimeError), transaction.atomic():
        generation_bump(CATALOG)
        bumped = generation(CATALOG)
        raise RuntimeError
    assert generation(CATALOG) == before != bumped
    generation_bump(CATALOG)
    assert generation(CATALOG) not in {before, bumped}


def test_clerk_removed_from_the_window_role_is_refused_at_the_next_request(
    api_as, clerk, instant_matter, make_enterprise
):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise()).status_code == 201  # permissions now kept
    clerk.groups.remove(Group.objects.get(name=roles.WINDOW_CLERK))

    assert _post(client, instant_matter, make_enterprise()).status_code == 403


def test_an_api_request_reads_the_generations_with_its_token_and_sees_a_change_left_by_another_process(
    api_as, clerk, instant_matter, make_enterprise
):
    client = api_as(clerk)
    assert _post(client, instant_matter, make_enterprise()).status_code == 201
    Matter.objects.filter(pk=instant_matter.pk).update(status=Matter.Status.SUSPENDED)
    generation_bump(CATALOG)  # all another process leaves behind

    with CaptureQueriesContext(connection) as captured:
        response = _post(client, instant_matter, make_enterprise())

    assert response.json()["code"] == "matter_not_in_use"
    generations = [q["sql"] for q in captured if "core_cachegeneration" in q["sql"]]
    assert len(generations) == 1 and "accounts_apitoken" in generations[0]
