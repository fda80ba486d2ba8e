from django.urls import path

from xinyipi.supervision import views

app_name = "supervision"
urlpatterns = [
    # The credit officer's console.
    path("console/blacklist/", views.entry_list, name="entry_list"),
    path("console/blacklist/new/", views.entry_propose, name="entry_propose"),
    path("console/blacklist/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("console/blacklist/<int:pk>/objection/", views.entry_objection_record, name="entry_objection_record"),
    path(
        "console/blacklist/<int:pk>/objection-decision/",
        views.entry_objection_decision,
        name="entry_objection_decision",
    ),
    path("console/blacklist/<int:pk>/repair/", views.entry_repair_record, name="entry_repair_record"),
    path(
        "console/blacklist/<int:pk>/files/<str:kind>/<int:file_id>/",
        views.entry_file,
        name="entry_file",
    ),
    path("console/credit-repairs/", views.repair_list, name="repair_list"),
    path("console/credit-repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("console/credit-repairs/<int:pk>/decision/", views.repair_decision, name="repair_decision"),
    # The applicant's side, beside "我的办件", and the public page on credit repair.
    path("my/credit/", views.my_credit, name="my_credit"),
    path("my/credit/<int:pk>/objection/", views.my_objection, name="my_objection"),
    path("my/credit/<int:pk>/repair/", views.my_repair, name="my_repair"),
    path("credit-repair/", views.repair_guide, name="repair_guide"),
]
