from django.urls import path

from xinyipi.subjects import views

app_name = "subjects"
urlpatterns = [
    path("", views.subject_list, name="subject_list"),
    path("new/", views.subject_register, name="subject_register"),
    path("<int:subject_id>/", views.subject_detail, name="subject_detail"),
]
