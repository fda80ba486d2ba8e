"""Demo listings, made through the services as the credit officer and the window would: a proposal with an
objection waiting for the credit officer, and a listing in effect for five months with a repair request in
the queue (development only)."""

import datetime as dt

from xinyipi.accounts.models import User
from xinyipi.core import clock
from xinyipi.subjects.models import Subject
from xinyipi.supervision.models import BlacklistEntry
from xinyipi.supervision.services import blacklist_entry_list, blacklist_propose
from xinyipi.supervision.services.objections import objection_file
from xinyipi.supervision.services.repairs import credit_repair_request

OBJECTING = "扎兰屯市北疆物流有限公司"
REPAIRING = "扎兰屯市柴河林产品加工厂"


def load_demo_supervision() -> list[str]:
    """Only for subjects with no entry yet (idempotent); returns what was made."""
    officer = User.objects.filter(username="credit").first()
    clerk = User.objects.filter(username="clerk").first()
    made = []
    objecting = Subject.objects.filter(name=OBJECTING).first()
    if objecting is not None and not BlacklistEntry.objects.filter(subject=objecting).exists():
        entry = blacklist_propose(
            subject=objecting,
            reason=BlacklistEntry.Reason.OTHER,
            reason_text="容缺受理后未按承诺期限补交《道路运输经营许可证》复印件，经催告仍未提交",
            evidence="催告书送达回执（2026 年 11 月）；窗口补正登记簿",
            actor=officer,
        )
        objection_file(
            entry=entry,
            actor=clerk,
            statement="我公司已于催告期内通过邮寄方式提交材料，附邮寄凭证，请予核实。",
            at_window=True,
        )
        made.append(f"proposal #{entry.pk} with a pending objection ({OBJECTING})")
    repairing = Subject.objects.filter(name=REPAIRING).first()
    if repairing is not None and not BlacklistEntry.objects.filter(subject=repairing).exists():
        start = clock.now() - dt.timedelta(days=160)
        with clock.acting_at(start):
            entry = blacklist_propose(
                subject=repairing,
                reason=BlacklistEntry.Reason.PLEDGE_BREACHED,
                evidence="催告书送达回执；补正期限届满登记",
                actor=officer,
            )
        listed_at = dt.datetime.combine(entry.objection_due + dt.timedelta(days=1), dt.time(1), tzinfo=clock.BEIJING)
        with clock.acting_at(listed_at):
            entry = blacklist_entry_list(entry_id=entry.pk, actor=None)
        repair = credit_repair_request(
            subject=repairing,
            entry=entry,
            actor=clerk,
            statement="已补齐全部缺失材料并完成整改，相关部门已出具整改完成证明。",
            at_window=True,
        )
        made.append(f"listing #{entry.pk} with repair request #{repair.pk} due {repair.due} ({REPAIRING})")
    return made
