"""Applicant accounts made on the portal: the account, the subject it acts for (registered if new), and the
link between them (pending until verified, R9a), in one audited transaction.

A person registers with their own ID number and acts for themself; an enterprise's agent registers with the
USCC, the enterprise's name and the text of the written authorisation. An existing subject is linked only
when the name given matches the registered one; the link stays pending until the window, the enterprise's
legal representative or the identity platform verifies it (``applications.services.agents``).
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinyipi.accounts import roles
from xinyipi.applications.models import SubjectAgent
from xinyipi.applications.services.agents import subject_agent_request
from xinyipi.audit.services import audit_record, snapshot
from xinyipi.core.crypto import blind_index
from xinyipi.core.errors import DomainError, ValidationFailed
from xinyipi.subjects.models import Subject
from xinyipi.subjects.services import subject_register
from xinyipi.subjects.validators import validate_subject_code

MOBILE = re.compile(r"^1[3-9]\d{9}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
_USER_AUDITED = ["username", "display_name", "phone", "is_active"]


def _clean_subject(*, kind, code, subject_name, authorisation, relation) -> tuple[list, dict]:
    """The subject an account asks to act for: its kind, code (validated, normalised), name, and the relation
    with the written authorisation an enterprise's agent states. ``(errors, data)``."""
    errors = []
    if kind not in Subject.Kind.values:
        errors.append(DomainError("invalid_kind", _("请选择以个人或企业身份注册。"), "kind"))
    normalised = ""
    field = "id_number" if kind == Subject.Kind.PERSON else "uscc"
    if kind in Subject.Kind.values:
        try:
            normalised = validate_subject_code(kind, code or "", field=field)
        except DomainError as exc:
            errors.append(exc)
    subject_name = (subject_name or "").strip()
    authorisation = (authorisation or "").strip()
    if kind == Subject.Kind.ENTERPRISE:
        if relation not in SubjectAgent.Relation.values:
            errors.append(DomainError("invalid_relation", _("请选择您与企业的关系。"), "relation"))
        if not subject_name or len(subject_name) > 200:
            errors.append(
                DomainError("enterprise_name_required", _("请填写企业名称（与营业执照一致）。"), "enterprise_name")
            )
        if relation == SubjectAgent.Relation.AGENT and not authorisation:
            errors.append(
                DomainError(
                    "authorisation_required",
                    _("企业经办人须填写企业的书面授权委托（委托书编号、授权事项和期限）。"),
                    "authorisation",
                )
            )
        elif len(authorisation) > 2000:
            errors.append(DomainError("value_too_long", _("授权委托说明不能超过 2000 字。"), "authorisation"))
    elif kind == Subject.Kind.PERSON:
        relation, authorisation = SubjectAgent.Relation.LEGAL_REPRESENTATIVE, ""
        if not subject_name or len(subject_name) > 100:
            errors.append(DomainError("name_required", _("请填写姓名（不超过 100 个字）。"), "name"))
    return errors, {
        "kind": kind,
        "code": normalised,
        "subject_name": subject_name,
        "authorisation": authorisation,
        "relation": relation,
    }


def _existing_subject(data: dict) -> Subject | None:
    """The registered subject of that code, when its kind and name are the ones given (else refused)."""
    kind = data["kind"]
    field = "id_number" if kind == Subject.Kind.PERSON else "uscc"
    existing = Subject.objects.filter(code_hash=blind_index(data["code"])).first()
    if existing is not None:
        if existing.kind != kind:
            raise ValidationFailed([DomainError("subject_kind_mismatch", _("该代码已登记为另一类主体。"), field)])
        if existing.name.strip() != data["subject_name"]:
            name_field = "name" if kind == Subject.Kind.PERSON else "enterprise_name"
            raise ValidationFailed(
                [DomainError("subject_name_mismatch", _("名称与该代码已登记的主体名称不一致。"), name_field)]
            )
    return existing


def _subject_for(*, actor, data: dict, existing: Subject | None, mobile: str) -> Subject:
    if existing is not None:
        return existing
    # A person's own mobile is theirs to give; an enterprise's contact phone on record is not its agent's —
    # it is where the legal representative's one-time code goes (R9a), so an agent's number never lands there.
    phone = mobile if data["kind"] == Subject.Kind.PERSON else ""
    return subject_register(
        actor=actor, kind=data["kind"], code=data["code"], name=data["subject_name"], contact_phone=phone
    )


def _clean(*, username, password, name, mobile, kind, code, enterprise_name, authorisation) -> dict:
    errors = []
    username = (username or "").strip()
    if not USERNAME.match(username):
        errors.append(DomainError("invalid_username", _("用户名为 3–150 位字母、数字或 _ . @ + -。"), "username"))
    elif get_user_model().objects.filter(username__iexact=username).exists():
        errors.append(DomainError("username_taken", _("该用户名已被使用。"), "username"))
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors.append(DomainError("name_required", _("请填写姓名（不超过 100 个字）。"), "name"))
    mobile = re.sub(r"[\s-]", "", mobile or "")
    if not MOBILE.match(mobile):
        errors.append(DomainError("invalid_mobile", _("请填写 11 位手机号码。"), "mobile"))
    subject_errors, subject = _clean_subject(
        kind=kind,
        code=code,
        subject_name=name if kind == Subject.Kind.PERSON else enterprise_name,
        authorisation=authorisation,
        relation=SubjectAgent.Relation.LEGAL_REPRESENTATIVE
        if kind == Subject.Kind.PERSON
        else SubjectAgent.Relation.AGENT,
    )
    errors.extend(e for e in subject_errors if e.field != "name")  # the name is checked above
    if subject["code"] and not subject_errors:
        try:
            _existing_subject(subject)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    # Checked whatever else is wrong, so that the applicant learns every fault in one round.
    probe = get_user_model()(username=username, display_name=name, first_name=name[:150])
    try:
        validate_password(password or "", probe)
    except ValidationError as exc:
        errors.extend(DomainError("weak_password", message, "password") for message in exc.messages)
    if errors:
        raise ValidationFailed(errors)
    return {"username": username, "name": name, "mobile": mobile, **subject}


def applicant_register_errors(**fields) -> list[DomainError]:
    """Every fault ``applicant_register`` would report for these fields, writing nothing: the registration page
    shows them together with the form's own, so that one submission reveals them all."""
    try:
        _clean(**fields)
    except ValidationFailed as exc:
        return list(exc.errors)
    return []


def applicant_register(
    *,
    username: str,
    password: str,
    name: str,
    mobile: str,
    kind: str,
    code: str,
    enterprise_name: str = "",
    authorisation: str = "",
):
    """Create an applicant account acting for a person (``kind=person``: ``code`` is the ID number, ``name``
    the person's) or an enterprise (``code`` is the USCC; the account is its agent with ``authorisation``).

    All fields are checked first and every fault is reported at once (``ValidationFailed``, each error naming
    its field); nothing is written then. The link is pending (R9a): the account signs in and sees nothing of
    the subject until the link is verified. Audited: the account, the subject when new, and the link.
    """
    data = _clean(
        username=username,
        password=password,
        name=name,
        mobile=mobile,
        kind=kind,
        code=code,
        enterprise_name=enterprise_name,
        authorisation=authorisation,
    )
    existing = _existing_subject(data)
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(
                username=data["username"],
                display_name=data["name"],
                first_name=data["name"][:150],
                phone=data["mobile"],
                is_active=True,
            )
            user.set_password(password)
            user.save(force_insert=True)
            user.groups.add(Group.objects.get_or_create(name=roles.APPLICANT)[0])
            audit_record(actor=user, action="portal.applicant.register", obj=user, after=snapshot(user, _USER_AUDITED))
            subject = _subject_for(actor=user, data=data, existing=existing, mobile=data["mobile"])
            subject_agent_request(
                actor=user, subject=subject, relation=data["relation"], authorisation=data["authorisation"]
            )
    except IntegrityError as exc:
        # A concurrent registration took the username (or the subject) between the check and the insert.
        raise ValidationFailed([DomainError("username_taken", _("该用户名已被使用。"), "username")]) from exc
    return user


def applicant_link_request(
    *, actor, kind: str, code: str, name: str, relation: str = "", authorisation: str = ""
) -> SubjectAgent:
    """申请关联主体: a signed-in account asks to act for one more subject — itself as a person (``name`` is
    the person's), or an enterprise as its agent or legal representative. Pending until verified (R9a)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise DomainError("not_authenticated", _("请先登录。"))
    errors, data = _clean_subject(
        kind=kind, code=code, subject_name=name, authorisation=authorisation, relation=relation
    )
    if (
        kind == Subject.Kind.PERSON
        and data["subject_name"]
        and data["subject_name"] != (actor.display_name or "").strip()
    ):
        errors.append(DomainError("person_not_self", _("个人只能为本人申请关联：姓名须与账号的姓名一致。"), "name"))
    if errors:
        raise ValidationFailed(errors)
    existing = _existing_subject(data)
    with transaction.atomic():
        subject = _subject_for(actor=actor, data=data, existing=existing, mobile=actor.phone)
        return subject_agent_request(
            actor=actor, subject=subject, relation=data["relation"], authorisation=data["authorisation"]
        )
