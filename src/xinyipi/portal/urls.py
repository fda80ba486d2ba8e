from django.urls import path

from xinyipi.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("guides/<str:code>/", views.guide, name="guide"),
    path("about/", views.about, name="about"),
]
