from django.urls import path

from xinyipi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.failures, name="failures"),
    path("<int:notification_id>/", views.detail, name="detail"),
    path("<int:notification_id>/resend/", views.resend, name="resend"),
    path("sharing/retry/", views.share_retry, name="share_retry"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:message_id>/read/", views.read, name="read"),
]
