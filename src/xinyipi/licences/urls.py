from django.urls import path

from xinyipi.licences import views

app_name = "licences"
urlpatterns = [
    path("licences/<str:identifier>/", views.check, name="check"),
    path("my/cases/<int:pk>/licence/", views.my_case_licence, name="my_case_licence"),
    path("my/cases/<int:pk>/licence/pdf/", views.my_case_licence_pdf, name="my_case_licence_pdf"),
    path("console/cases/<int:pk>/licence/", views.case_licence, name="case_licence"),
    path("console/cases/<int:pk>/licence/pdf/", views.case_licence_pdf, name="case_licence_pdf"),
]
