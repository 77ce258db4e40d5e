from django.urls import path

from exams.views import checkin, photos, staff, student

app_name = "exams"

urlpatterns = [
    path("", staff.plan_home, name="plan"),
    path("rounds/<int:pk>/publish/", staff.plan_publish, name="publish"),
    path("sittings/<int:pk>/", staff.sitting_detail, name="sitting"),
    path("sittings/<int:pk>/draw/", staff.sitting_draw, name="sitting_draw"),
    path("seats/<int:pk>/move/", staff.seat_move, name="seat_move"),
    path("tickets/<int:pk>/tickets.pdf", staff.tickets_pdf, name="tickets_pdf"),
    path("rounds/<int:pk>/photos.zip", photos.round_photos_zip, name="photos_zip"),
    path("sittings/<int:pk>/rooms/<int:room>/door.pdf", staff.door_list_pdf, name="door_pdf"),
    path("sittings/<int:pk>/rooms/<int:room>/sign-in.pdf", staff.sign_in_pdf, name="sign_in_pdf"),
    path(
        "sittings/<int:pk>/rooms/<int:room>/seat-labels.pdf",
        staff.seat_labels_pdf,
        name="seat_labels_pdf",
    ),
    path("check-in/", checkin.checkin_home, name="checkin_home"),
    path("check-in/<int:pk>/<int:room>/", checkin.checkin_room, name="checkin_room"),
    path("check-in/<int:pk>/<int:room>/roll.json", checkin.checkin_roll, name="checkin_roll"),
    path("sittings/<int:pk>/attendance.xlsx", checkin.attendance_export, name="attendance"),
    path("me/<int:pk>/<str:token>/ticket/", student.ticket_page, name="student_ticket"),
    path("me/<int:pk>/<str:token>/ticket.pdf", student.ticket_pdf, name="student_ticket_pdf"),
]
