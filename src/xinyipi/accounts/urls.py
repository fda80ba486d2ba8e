from django.contrib.auth import views as auth_views
from django.urls import path

from xinyipi.accounts import views
from xinyipi.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.otp_verify_view, name="otp_verify"),
    path("otp/enrol/", views.otp_enrol_view, name="otp_enrol"),
]
