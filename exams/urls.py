from django.urls import path

from exams.views import staff

app_name = "exams"

urlpatterns = [
    path("", staff.plan_home, name="plan"),
    path("rounds/<int:pk>/publish/", staff.plan_publish, name="publish"),
    path("sittings/<int:pk>/", staff.sitting_detail, name="sitting"),
    path("sittings/<int:pk>/draw/", staff.sitting_draw, name="sitting_draw"),
    path("seats/<int:pk>/move/", staff.seat_move, name="seat_move"),
]
