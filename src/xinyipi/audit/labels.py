"""The audit trail's action codes in plain words: the one place that names each code the code base writes
(a test walks the source and fails on a code without a label). The codes themselves stay in the trail,
unchanged, since the SM3 chain covers them."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # Accounts and access
    "accounts.user.save": _("保存用户"),
    "accounts.department.save": _("保存部门"),
    "accounts.otp.enrol": _("绑定动态口令"),
    "accounts.otp.refuse": _("动态口令校验失败"),
    "api_token.issue": _("签发接口令牌"),
    "portal.applicant.register": _("申请人注册账户"),
    # Catalog
    "matter.create": _("新增事项"),
    "matter.update": _("修改事项"),
    "matter.delete": _("删除事项"),
    "material.create": _("新增申请材料"),
    "material.update": _("修改申请材料"),
    "material.delete": _("删除申请材料"),
    "department.create": _("新增部门"),
    "department.update": _("修改部门"),
    # Calendar
    "workdays.seed": _("导入法定节假日"),
    "workdays.holiday.save": _("保存节假日"),
    "workdays.holiday.delete": _("删除节假日"),
    "workdays.year.save": _("确认年度日历"),
    # Subjects
    "subjects.subject.register": _("登记申请主体"),
    "subjects.subject.update": _("修改申请主体"),
    "subjects.subject.ensure": _("自动登记申请主体"),
    # Credit
    "credit.check.run": _("信用核查"),
    "credit.check.view": _("查看信用核查结果"),
    "credit.check.list": _("查询信用核查记录"),
    "credit.manual_entry.record": _("登记人工查询结果"),
    "credit.records.import": _("导入信用名单"),
    "credit.card.save": _("登记纳税信用联合激励卡"),
    "credit.card.revoke": _("注销纳税信用联合激励卡"),
    "records.credit_record.view": _("查看信用记录"),
    "records.export": _("导出信用记录"),
    "records.share.dead": _("信用记录推送失败"),
    "records.share.retry_dead": _("重新推送信用记录"),
    # Cases
    "applications.application.file": _("受理申请"),
    "applications.application.not_accept": _("不予受理"),
    "applications.application.supplement": _("收取补正材料"),
    "applications.application.return": _("退回窗口"),
    "applications.application.resubmit": _("处理退回办件"),
    "applications.application.conveniences_withdraw": _("列入黑名单后撤销便利措施"),
    "applications.application.verification_overdue": _("承诺核查逾期提醒"),
    "applications.material.paper_receive": _("窗口收取纸质材料"),
    "applications.correction.request": _("出具补正材料通知书"),
    "applications.correction.answer": _("提交补正材料"),
    "applications.correction.lapse": _("逾期未补正"),
    "applications.letter_template.save": _("保存文书模板"),
    "applications.letter_template.deactivate": _("停用文书模板"),
    "applications.document_prefix.save": _("保存文书编号前缀"),
    "applications.subject_agent.request": _("申请关联主体"),
    "applications.subject_agent.link": _("关联主体"),
    "applications.subject_agent.verify": _("核验主体关联"),
    "applications.subject_agent.refuse": _("驳回主体关联"),
    "applications.subject_agent.revoke": _("解除主体关联"),
    "applications.subject_agent.code_sent": _("发送关联验证码"),
    "applications.subject_agent.identity_no_match": _("身份核验不一致"),
    # Bookings and ratings
    "bookings.service_booking.request": _("预约上门或帮办服务"),
    "bookings.service_booking.cancel": _("取消预约"),
    "bookings.service_booking.cancel_for_listing": _("因列入黑名单取消预约"),
    "bookings.service_booking.confirm": _("确认预约"),
    "bookings.service_booking.done": _("完成预约服务"),
    "bookings.special_grant.give": _("特殊情况准予预约"),
    "rating.record": _("登记评价"),
    "rating.follow_up_open": _("差评整改立项"),
    "rating.follow_up_answer": _("差评整改答复"),
    "ratings.export": _("导出评价"),
    # Electronic licences
    "licences.licence.issue": _("签发电子证照"),
    "licences.licence.revoke": _("注销电子证照"),
    # Supervision
    "supervision.blacklist.propose": _("拟列入黑名单"),
    "supervision.blacklist.list": _("列入黑名单"),
    "supervision.blacklist.withdraw": _("撤回黑名单拟列入"),
    "supervision.blacklist.repair": _("信用修复移出黑名单"),
    "supervision.blacklist.expire": _("黑名单期满移出"),
    "supervision.objection.file": _("提出异议"),
    "supervision.objection.uphold": _("异议成立"),
    "supervision.objection.dismiss": _("异议不成立"),
    "supervision.repair.request": _("申请信用修复"),
    "supervision.repair.approve": _("准予信用修复"),
    "supervision.repair.refuse": _("不予信用修复"),
    # Messages
    "notifications.notification.resend": _("重新发送消息"),
    "notifications.notification.dead": _("消息投递失败"),
    "notifications.in_app_message.read": _("阅读站内消息"),
    "notifications.worker.lost": _("发送进程失联"),
}

# A case's move to a state is written as ``applications.application.<state>`` (``workflow.transition_apply``).
STATUS_ACTION_PREFIX = "applications.application."


def _status_label(code: str):
    from xinyipi.applications.models import Status

    state = code.removeprefix(STATUS_ACTION_PREFIX)
    if code.startswith(STATUS_ACTION_PREFIX) and state in Status.values:
        return format_lazy(_("办件转为“{}”"), Status(state).label)
    return None


def action_label(code: str):
    """The plain words of an audit action code; an unknown code (an old entry) is shown as it is."""
    return ACTION_LABELS.get(code) or _status_label(code) or code


def action_choices() -> list[tuple[str, str]]:
    """Every labelled action, for the audit page's filter, in plain words' order."""
    from xinyipi.applications.models import Status

    codes = list(ACTION_LABELS) + [
        f"{STATUS_ACTION_PREFIX}{state}"
        for state in Status.values
        if f"{STATUS_ACTION_PREFIX}{state}" not in ACTION_LABELS
    ]
    return sorted(((code, str(action_label(code))) for code in codes), key=lambda choice: choice[1])


def object_label(object_type: str) -> str:
    """The model's name in plain words (``applications.application`` → 办件); an unknown type as it is."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name) if object_type else ""
    except (LookupError, ValueError):
        return object_type


def object_type_choices() -> list[tuple[str, str]]:
    """The project's models (and users), for the audit page's object filter."""
    from django.apps import apps

    models = [m for m in apps.get_models() if m.__module__.startswith("xinyipi.")]
    return sorted(((m._meta.label_lower, str(m._meta.verbose_name)) for m in models), key=lambda c: c[1])
