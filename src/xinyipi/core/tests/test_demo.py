"""`manage.py load_demo` loads everything once, prints a login for every role, and can run again."""

from io import StringIO

import pytest
from django.core.management import call_command

from xinyipi.accounts import roles
from xinyipi.accounts.models import User
from xinyipi.applications.models import Application, SubjectAgent
from xinyipi.applications.selectors import (
    application_page,
    application_queue_review,
    application_queue_verification,
    application_queue_window,
)
from xinyipi.catalog.models import Matter

pytestmark = pytest.mark.django_db


def test_load_demo_covers_every_role_and_is_idempotent():
    out = StringIO()
    call_command("load_demo", "--no-history", stdout=out)
    printed = out.getvalue()
    for role in roles.ROLE_LABELS:
        assert User.objects.filter(groups__name=role).exists(), role
        assert str(roles.ROLE_LABELS[role]) in printed, role
    assert Matter.objects.count() >= 25
    assert SubjectAgent.objects.filter(user__username="applicant").exists()
    counts = (User.objects.count(), Matter.objects.count(), SubjectAgent.objects.count())
    call_command("load_demo", "--no-history", stdout=StringIO())
    assert (User.objects.count(), Matter.objects.count(), SubjectAgent.objects.count()) == counts


def test_demo_password_logs_in(client):
    call_command("load_demo", "--no-history", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": "clerk", "password": "Xinyipi@2026"})
    assert response.status_code == 302


def test_demo_puts_work_in_every_queue_once():
    """The demo cases are filed through the services: the clerk, the reviewer and the applicant each find some."""
    call_command("load_demo", "--no-history", stdout=StringIO())
    statuses = dict(Application.objects.values_list("mode", "status"))
    assert statuses == {
        "tolerance": "awaiting_supplement",
        "commitment": "approved",
        "standard": "under_review",
        "instant": "approved",
    }
    clerk, reviewer, applicant = (User.objects.get(username=n) for n in ("clerk", "reviewer_scjg", "applicant"))
    assert application_queue_window(actor=clerk).items
    assert application_queue_review(actor=reviewer).items
    assert application_queue_verification(actor=reviewer).items
    assert application_page(actor=applicant).items
    call_command("load_demo", stdout=StringIO())
    assert Application.objects.count() == 4  # a database with cases gets no history and no second set
