"""The outbox: written in the caller's transaction, de-duplicated, validated, never sent before commit."""

import pytest
from django.db import transaction

from xinyipi.accounts.tests.factories import UserFactory
from xinyipi.core.errors import DomainError
from xinyipi.notifications.delivery import outbox_deliver_due
from xinyipi.notifications.models import InAppMessage, Notification
from xinyipi.notifications.services import notify, notify_subject
from xinyipi.subjects.tests.factories import SubjectFactory


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_notify_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify(channel="sms", recipient="13800138000", kind="reminder", title="催告", body="请补齐材料。")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_leaves_no_message():
    user = UserFactory()
    with pytest.raises(Boom), transaction.atomic():
        notify(channel="sms", recipient="13800138000", kind="reminder", title="催告", body="请补齐材料。")
        notify(channel="in_app", recipient=user, kind="reminder", title="催告", body="请补齐材料。")
        assert Notification.objects.count() == 2
        raise Boom
    assert not Notification.objects.exists()
    assert not InAppMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_committed_message_waits_in_the_outbox_with_a_stable_id(outbox_settings, queue_message):
    row = queue_message(channel="sms", recipient="+86 138-0013-8000", dedupe_key="case:1:reminder")
    stored = Notification.objects.get()
    assert stored.pk == row.pk
    assert stored.status == Notification.Status.PENDING
    assert stored.recipient == "13800138000"
    assert stored.message_id == row.message_id


@pytest.mark.django_db
def test_same_dedupe_key_yields_one_message():
    with transaction.atomic():
        first = notify(
            channel="sms",
            recipient="13800138000",
            kind="decision",
            title="准予许可",
            body="已批准。",
            dedupe_key="case:7:decision",
        )
        again = notify(
            channel="sms",
            recipient="13800138000",
            kind="decision",
            title="准予许可",
            body="已批准。",
            dedupe_key="case:7:decision",
        )
    assert again.pk == first.pk
    assert again.message_id == first.message_id
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_without_dedupe_key_each_call_is_a_new_message():
    with transaction.atomic():
        notify(channel="sms", recipient="13800138000", kind="general", title="通知", body="一")
        notify(channel="sms", recipient="13800138000", kind="general", title="通知", body="一")
    assert Notification.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"channel": "fax", "recipient": "13800138000"}, "unknown_channel", "channel"),
        ({"channel": "sms", "recipient": "0470-3212345"}, "invalid_mobile", "recipient"),
        ({"channel": "sms", "recipient": "1380013800"}, "invalid_mobile", "recipient"),
        ({"channel": "email", "recipient": "not-an-address"}, "invalid_email", "recipient"),
        ({"channel": "in_app", "recipient": "someone"}, "recipient_required", "recipient"),
        ({"channel": "sms", "recipient": "13800138000", "kind": "Reminder!"}, "invalid_kind", "kind"),
        ({"channel": "sms", "recipient": "13800138000", "title": "  "}, "title_required", "title"),
        ({"channel": "sms", "recipient": "13800138000", "title": "长" * 201}, "value_too_long", "title"),
        ({"channel": "sms", "recipient": "13800138000", "body": ""}, "body_required", "body"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(kwargs, code, field):
    arguments = {"kind": "reminder", "title": "催告", "body": "请补齐材料。", **kwargs}
    with pytest.raises(DomainError) as caught, transaction.atomic():
        notify(**arguments)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_notify_subject_uses_mobile_accounts_and_their_email_once_per_event():
    subject = SubjectFactory(contact_phone="138 0013 8000")
    agent = UserFactory(email="agent@example.cn")
    quiet = UserFactory(email="")
    with transaction.atomic():
        rows = notify_subject(
            subject=subject,
            kind="tolerance_notice",
            title="容缺受理通知",
            body="缺少材料：…",
            dedupe_key="case:3:tolerance",
            users=[agent, quiet, agent],
        )
    assert sorted((r.channel, r.recipient) for r in rows) == sorted(
        [("sms", "13800138000"), ("in_app", agent.username), ("email", "agent@example.cn"), ("in_app", quiet.username)]
    )
    assert all(r.subject_id == subject.pk for r in rows)
    with transaction.atomic():
        again = notify_subject(
            subject=subject,
            kind="tolerance_notice",
            title="容缺受理通知",
            body="缺少材料：…",
            dedupe_key="case:3:tolerance",
            users=[agent, quiet],
        )
    assert {r.pk for r in again} == {r.pk for r in rows}
    assert Notification.objects.count() == 4
    assert InAppMessage.objects.count() == 2


@pytest.mark.django_db
def test_notify_subject_skips_a_landline():
    subject = SubjectFactory(contact_phone="0470-3212345")
    with transaction.atomic():
        rows = notify_subject(subject=subject, kind="reminder", title="催告", body="…", dedupe_key="case:4:reminder")
    assert rows == []


@pytest.mark.django_db
def test_source_object_is_recorded_for_later_lookup():
    from xinyipi.notifications.selectors import notifications_for_source

    subject = SubjectFactory(contact_phone="13800138000")
    with transaction.atomic():
        notify(
            channel="sms",
            recipient="13800138000",
            kind="reminder",
            title="催告",
            body="…",
            subject=subject,
            source=subject,
        )
    (row,) = notifications_for_source(subject)
    assert (row.source_type, row.source_id) == ("subjects.subject", str(subject.pk))


@pytest.mark.django_db
def test_in_app_message_is_created_once_in_the_writers_transaction(outbox_settings):
    user = UserFactory()
    with transaction.atomic():
        row = notify(
            channel="in_app",
            recipient=user,
            kind="decision",
            title="准予许可",
            body="已批准。",
            dedupe_key="case:9:decision:in_app",
        )
        notify(
            channel="in_app",
            recipient=user,
            kind="decision",
            title="准予许可",
            body="已批准。",
            dedupe_key="case:9:decision:in_app",
        )
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert InAppMessage.objects.filter(user=user).count() == 1
    # Delivered again (as after a resend or a crash): still one message in the inbox.
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.PENDING)
    assert outbox_deliver_due().sent == 1
    assert InAppMessage.objects.filter(user=user).count() == 1
