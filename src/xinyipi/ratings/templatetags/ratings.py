"""``{% case_ratings_panel %}``: the 好差评 part of a case page (portal or console), computed from the page's own
``application`` and ``console`` so that the case views need not know about ratings."""

from django import template

from xinyipi.accounts.access import application_actions
from xinyipi.ratings.forms import RatingForm
from xinyipi.ratings.selectors import case_ratings

register = template.Library()


@register.inclusion_tag("ratings/_panel.html", takes_context=True)
def case_ratings_panel(context):
    application = context["application"]
    console = context.get("console", False)
    user = context["request"].user
    data = case_ratings(application)
    may_rate = bool(data["unrated"]) and "rate" in application_actions(user, application, applicant_only=not console)
    form = context.get("rating_form") or (RatingForm(events=data["unrated"]) if may_rate else None)
    return {
        **data,
        "application": application,
        "console": console,
        "may_rate": may_rate,
        "follow_up_link": console and user.has_perm("ratings.view_followup"),
        "form": form,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
