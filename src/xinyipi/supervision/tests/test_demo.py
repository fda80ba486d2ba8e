"""The demo listings are made through the services: a proposal held by a pending objection, and a listing
with a repair request in the queue; loading twice adds nothing."""

import pytest

from xinyipi.accounts.demo import load_demo_users
from xinyipi.credit.demo import load_demo_credit
from xinyipi.supervision.demo import OBJECTING, REPAIRING, load_demo_supervision
from xinyipi.supervision.models import BlacklistEntry, CreditRepair, Objection

pytestmark = pytest.mark.django_db


def test_demo_has_a_pending_objection_and_a_repair_request():
    load_demo_users()
    load_demo_credit()
    assert len(load_demo_supervision()) == 2
    proposal = BlacklistEntry.objects.get(subject__name=OBJECTING)
    assert proposal.status == "proposed" and Objection.objects.get(entry=proposal).status == "pending"
    listed = BlacklistEntry.objects.get(subject__name=REPAIRING)
    assert listed.status == "listed" and CreditRepair.objects.get(entry=listed).status == "requested"
    assert load_demo_supervision() == []
    assert BlacklistEntry.objects.count() == 2 and CreditRepair.objects.count() == 1
