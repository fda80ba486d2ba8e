"""``SubjectFactory()`` is an enterprise; ``SubjectFactory(person=True)`` a person. Codes are always valid.

Pass ``code=`` to choose the code (plain, normalised). Built without an audit entry, like any fixture.
"""

import datetime as dt

import factory

from xinyipi.core.testing import ric_for, uscc_for
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_build

_EPOCH = dt.date(1950, 1, 1)


def enterprise_code(n: int) -> str:
    # 9 = market regulation, 1 = company, 150783 = 扎兰屯市; the body is numbered.
    return uscc_for("91150783", f"{n:09d}")


def person_code(n: int) -> str:
    birth = _EPOCH + dt.timedelta(days=n % 25_000)
    return ric_for(f"150783{birth:%Y%m%d}{(n // 25_000) % 1000:03d}")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    class Params:
        person = factory.Trait(
            kind=Subject.Kind.PERSON,
            code=factory.Sequence(person_code),
            name=factory.Sequence(lambda n: f"测试个人{n}"),
        )

    kind = Subject.Kind.ENTERPRISE
    code = factory.Sequence(enterprise_code)
    name = factory.Sequence(lambda n: f"扎兰屯市测试企业{n}有限公司")
    legal_representative = ""
    contact_phone = ""
    address = ""

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return subject_build(**kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        subject = subject_build(**kwargs)
        subject.save(force_insert=True)
        return subject
