from django.urls import path

from xinyipi.catalog import views

app_name = "catalog"
urlpatterns = [path("", views.matter_list, name="matter_list")]
