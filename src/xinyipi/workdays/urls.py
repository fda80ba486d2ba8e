from django.urls import path

from xinyipi.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("deadline/", views.deadline, name="deadline"),
]
