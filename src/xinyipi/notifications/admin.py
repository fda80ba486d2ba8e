from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from xinyipi.core.errors import DomainError
from xinyipi.notifications.models import InAppMessage, Notification, PeriodicJobState, WorkerHeartbeat
from xinyipi.notifications.services import notification_resend


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services and the worker: the admin reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "channel", "kind", "title", "status", "attempts", "total_attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["=message_id", "=dedupe_key", "=source_id"]
    search_help_text = _("按消息编号、去重键或来源对象编号精确查找。")
    show_full_result_count = False
    exclude = ["recipient"]
    readonly_fields = ["recipient_display"]
    actions = ["resend"]

    @admin.display(description=_("接收方"))
    def recipient_display(self, obj):
        return obj.recipient_display

    @admin.action(description=_("重发所选的失败或已放弃消息"), permissions=["resend"])
    def resend(self, request, queryset):
        done = 0
        for row in queryset:
            try:
                notification_resend(actor=request.user, notification=row)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{row.pk}: {exc.message}", level=messages.WARNING)
        if done:
            self.message_user(request, _("已重新排入发送队列：%(n)d 条。") % {"n": done}, level=messages.SUCCESS)

    def has_resend_permission(self, request):
        return request.user.has_perm("notifications.resend_notification")


@admin.register(InAppMessage)
class InAppMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    show_full_result_count = False


@admin.register(PeriodicJobState)
class PeriodicJobStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "next_run_at", "last_enqueued_at", "last_task_id", "skipped_runs"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "host", "pid", "started_at", "beat_at", "expires_at"]
