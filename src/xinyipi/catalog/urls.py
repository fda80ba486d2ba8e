from django.urls import path

from xinyipi.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.matter_list, name="matter_list"),
    path("<str:code>/", views.matter_detail, name="matter_detail"),
]
