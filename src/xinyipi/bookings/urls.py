from django.urls import path

from xinyipi.bookings import views

app_name = "bookings"
urlpatterns = [
    # The applicant's page, beside "我的办件".
    path("my/bookings/", views.my_bookings, name="my_bookings"),
    path("my/bookings/<int:pk>/cancel/", views.my_booking_cancel, name="my_booking_cancel"),
    # The service center's queue in the staff console.
    path("console/bookings/", views.queue, name="queue"),
    path("console/bookings/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("console/bookings/<int:pk>/done/", views.done, name="done"),
    path("console/bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("console/bookings/special-grants/", views.special_grants, name="special_grants"),
]
