"""Fixtures shared by every app's tests and by the cross-app suites under tests/."""

import pytest
from django.conf import settings
from django.utils import translation

from xinyipi.accounts import roles
from xinyipi.accounts.tests.factories import DepartmentFactory, UserFactory
from xinyipi.core.testing import ApiClient
from xinyipi.workdays.calendar import table as calendar_table


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The working-day table is cached per process; a test's rolled-back edits must not leak."""
    calendar_table.invalidate()
    yield
    calendar_table.invalidate()


@pytest.fixture(autouse=True)
def _site_language():
    """A request in English leaves its language active on the thread; each test starts in the site's."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def department(db):
    return DepartmentFactory()


@pytest.fixture
def other_department(db):
    return DepartmentFactory()


@pytest.fixture
def make_user(db):
    def make(role: str | None = None, department=None, **kwargs):
        staff = role in {roles.BUREAU_ADMIN}
        return UserFactory(roles=[role] if role else [], department=department, is_staff=staff, **kwargs)

    return make


@pytest.fixture
def bureau_admin(make_user):
    return make_user(roles.BUREAU_ADMIN)


@pytest.fixture
def clerk(make_user, department):
    return make_user(roles.WINDOW_CLERK, department)


@pytest.fixture
def reviewer(make_user, department):
    return make_user(roles.REVIEWER, department)


@pytest.fixture
def credit_officer(make_user):
    return make_user(roles.CREDIT_OFFICER)


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def api(db):
    """Anonymous API client."""
    return ApiClient()


@pytest.fixture
def api_as(db):
    """``api_as(user)`` — an API client with a bearer token for ``user``."""
    return lambda user, language=None: ApiClient(user, language=language)
