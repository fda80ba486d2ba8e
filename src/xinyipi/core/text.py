"""Text shown to people in the active language, and text kept in the site's own language."""

import functools
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def join_list(items: Iterable) -> str:
    """Items as one enumeration: joined by the enumeration comma 、 in Chinese and by ", " in English."""
    return gettext("、").join(str(item) for item in items)


def choice_label(choices, value) -> str:
    """The label of ``value`` among ``choices`` (a ``TextChoices``), as ``get_FOO_display()`` shows it, the value
    itself when it is not one of them. ``get_FOO_display()`` translates every label of the field to show one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def clause(text: str) -> str:
    """A catalog value set inside a sentence of a letter: without the full stop (or other closing mark) the
    bureau may have typed at its end, so that the sentence's own punctuation is not doubled (“条件。。”)."""
    return (text or "").strip().rstrip("。；，、：;,.: ").strip()


def in_default_language(func):
    """Run ``func`` in the site's language (zh-Hans) whatever language the request reads pages in: for
    text that is signed, frozen or printed as an official document (letters, notices, decisions)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper
