"""Writes of the case workflow, one module per step of the lifecycle (STYLE.md: services/)."""

from xinyipi.applications.services.agents import (
    subject_agent_code_confirm,
    subject_agent_code_send,
    subject_agent_identity_verify,
    subject_agent_link,
    subject_agent_refuse,
    subject_agent_request,
    subject_agent_revoke,
    subject_agent_verify_window,
)
from xinyipi.applications.services.correction import (
    application_correction_answer,
    application_correction_lapse,
    application_correction_request,
)
from xinyipi.applications.services.decisions import application_decide
from xinyipi.applications.services.filing import application_file
from xinyipi.applications.services.modes import ModeOffer, application_credit_check, application_modes
from xinyipi.applications.services.paper import application_paper_receive
from xinyipi.applications.services.restrictions import application_conveniences_withdraw
from xinyipi.applications.services.returning import application_return, application_return_resolve
from xinyipi.applications.services.supplements import application_supplement
from xinyipi.applications.services.templates import letter_template_deactivate, letter_template_save
from xinyipi.applications.services.verification import application_verify
from xinyipi.applications.services.withdrawal import application_withdraw

__all__ = [
    "ModeOffer",
    "application_conveniences_withdraw",
    "application_correction_answer",
    "application_correction_lapse",
    "application_correction_request",
    "application_credit_check",
    "application_decide",
    "application_file",
    "application_modes",
    "application_paper_receive",
    "application_return",
    "application_return_resolve",
    "application_supplement",
    "application_verify",
    "application_withdraw",
    "letter_template_deactivate",
    "letter_template_save",
    "subject_agent_code_confirm",
    "subject_agent_code_send",
    "subject_agent_identity_verify",
    "subject_agent_link",
    "subject_agent_refuse",
    "subject_agent_request",
    "subject_agent_revoke",
    "subject_agent_verify_window",
]
