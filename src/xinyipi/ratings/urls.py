from django.urls import path

from xinyipi.ratings import views

app_name = "ratings"
urlpatterns = [
    # The applicant rates on the case page of the portal.
    path("my/cases/<int:pk>/rating/", views.my_case_rating, name="my_case_rating"),
    # The window records what its rating device showed, on the console's case page.
    path("console/ratings/cases/<int:pk>/", views.case_rating, name="case_rating"),
    path("console/ratings/follow-ups/", views.follow_up_list, name="follow_ups"),
    path("console/ratings/follow-ups/<int:pk>/", views.follow_up_detail, name="follow_up"),
    path("console/ratings/export/", views.export, name="export"),
]
