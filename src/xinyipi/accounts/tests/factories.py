import factory
from django.contrib.auth.models import Group

from xinyipi.accounts.models import Department, User
from xinyipi.core.testing import uscc_for


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: uscc_for("11150783", f"T{n:08d}"))
    name = factory.Sequence(lambda n: f"扎兰屯市测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"工作人员{n}")
    password = factory.django.Password("pass-xinyipi-2026")
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
