from django.urls import path

from xinyipi.subjects import views

app_name = "subjects"
urlpatterns = [path("", views.subject_list, name="subject_list")]
