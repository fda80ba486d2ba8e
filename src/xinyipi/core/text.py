"""Text shown to people in the active language."""

from collections.abc import Iterable

from django.utils.translation import gettext


def join_list(items: Iterable) -> str:
    """Items as one enumeration: joined by the enumeration comma 、 in Chinese and by ", " in English."""
    return gettext("、").join(str(item) for item in items)
