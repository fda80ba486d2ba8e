from django.contrib.auth import views as auth_views
from django.urls import path

from xinyipi.accounts.forms import LoginForm
from xinyipi.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("guides/<str:code>/", views.guide, name="guide"),
    path("guides/<str:code>/apply/", views.apply, name="apply"),
    path("guides/<str:code>/apply/preview/", views.apply_preview, name="apply_preview"),
    path("about/", views.about, name="about"),
    path("integrity/", views.integrity, name="integrity"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("register/", views.register, name="register"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="portal/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<int:pk>/", views.my_case, name="my_case"),
    path("my/cases/<int:pk>/supplement/", views.my_case_supplement, name="my_case_supplement"),
    path("my/cases/<int:pk>/withdraw/", views.my_case_withdraw, name="my_case_withdraw"),
    path("my/cases/<int:pk>/correction/", views.my_case_correction, name="my_case_correction"),
    path("my/cases/<int:pk>/materials/<str:code>/file/", views.my_case_material_file, name="my_case_material_file"),
    path("my/cases/<int:pk>/documents/<str:ref>/", views.my_case_document, name="my_case_document"),
    path("my/cases/<int:pk>/documents/<str:ref>/pdf/", views.my_case_document_pdf, name="my_case_document_pdf"),
    path("my/messages/", views.my_messages, name="my_messages"),
    path("my/record/", views.my_record, name="my_record"),
    path("my/links/", views.my_links, name="my_links"),
    path("my/links/request/", views.my_link_request, name="my_link_request"),
    path("my/links/<int:pk>/code/", views.my_link_code_send, name="my_link_code_send"),
    path("my/links/<int:pk>/code/confirm/", views.my_link_code_confirm, name="my_link_code_confirm"),
    path("my/links/<int:pk>/identity/", views.my_link_identity, name="my_link_identity"),
    path("my/links/<int:pk>/give-up/", views.my_link_give_up, name="my_link_give_up"),
    path("my/links/<int:pk>/revoke/", views.my_link_revoke_agent, name="my_link_revoke_agent"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
