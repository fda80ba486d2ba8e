from django.urls import path

from xinyipi.credit import views

app_name = "credit"
urlpatterns = [
    path("", views.check, name="check"),
    path("checks/", views.check_list, name="check_list"),
    path("checks/<int:check_id>/", views.check_detail, name="check_detail"),
    path("policy/", views.policy, name="policy"),
    path("manual/<int:subject_id>/", views.manual_entry, name="manual_entry"),
]
