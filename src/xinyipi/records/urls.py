from django.urls import path

from xinyipi.records import views

app_name = "records"
urlpatterns = [path("export/", views.export, name="export")]
