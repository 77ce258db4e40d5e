from django.urls import path

from registration.views import inbox, interest, retake, student, supplement

urlpatterns = [
    path("r/<str:code>/", student.class_entry, name="class_entry"),
    path("register/", student.register_pick, name="register"),
    path("register/social/", student.social_entry, name="social_entry"),
    path("register/social/interest/", interest.social_interest, name="social_interest"),
    path("lookup/", student.lookup, name="lookup"),
    path("retake/<slug:slug>/", retake.retake_page, name="retake"),
    path("me/<int:pk>/<str:token>/", student.registration_detail, name="registration_detail"),
    path("me/<int:pk>/<str:token>/edit/", student.registration_edit, name="registration_edit"),
    path("me/<int:pk>/<str:token>/supplement/", supplement.supplement_page, name="supplement"),
    path("me/<int:pk>/<str:token>/messages/", inbox.inbox_page, name="inbox"),
    path("me/<int:pk>/<str:token>/photo.jpg", supplement.student_photo, name="student_photo"),
    path(
        "me/<int:pk>/<str:token>/cancel/", student.registration_cancel, name="registration_cancel"
    ),
]
