"""Counselor and 教务 pages; config/urls.py serves them in the `registration` URL namespace."""

from django.urls import path

from workspace.views import classlists, counselor, identity, interest, nudges, review, supplement

urlpatterns = [
    path("counselor/", counselor.dashboard, name="counselor_dashboard"),
    path("counselor/export.xlsx", counselor.round_export, name="counselor_export"),
    path("counselor/classes/<int:pk>/", counselor.class_roster, name="counselor_class"),
    path("counselor/classes/<int:pk>/nudges/", nudges.class_nudges, name="counselor_nudges"),
    path("counselor/nudges/", nudges.round_nudges, name="round_nudges"),
    path(
        "counselor/classes/<int:pk>/export.xlsx",
        counselor.class_export,
        name="counselor_class_export",
    ),
    path("counselor/classes/<int:pk>/poster/", counselor.class_poster, name="counselor_poster"),
    path(
        "counselor/classes/<int:pk>/poster.png",
        counselor.class_poster_png,
        name="counselor_poster_png",
    ),
    path(
        "counselor/registrations/<int:pk>/",
        counselor.registration_detail,
        name="counselor_registration",
    ),
    path(
        "counselor/registrations/<int:pk>/photo.jpg",
        supplement.staff_photo,
        name="counselor_photo",
    ),
    path(
        "counselor/registrations/<int:pk>/photo/return/",
        supplement.photo_return,
        name="counselor_photo_return",
    ),
    path(
        "counselor/registrations/<int:pk>/confirm/",
        counselor.registration_confirm,
        name="counselor_registration_confirm",
    ),
    path(
        "counselor/registrations/<int:pk>/return/",
        counselor.registration_return,
        name="counselor_registration_return",
    ),
    path(
        "counselor/registrations/<int:pk>/identity/",
        identity.registration_identity,
        name="counselor_registration_identity",
    ),
    path(
        "counselor/registrations/<int:pk>/note/",
        counselor.registration_note,
        name="counselor_registration_note",
    ),
]

urlpatterns += [
    path("counselor/review/bulk/", review.bulk_review, name="counselor_bulk_review"),
    path("counselor/unowned/", review.unowned_roster, name="counselor_unowned"),
    path(
        "counselor/social-interest.xlsx",
        interest.social_interest_export,
        name="counselor_social_interest_export",
    ),
    path("counselor/classes/<int:pk>/list/", classlists.class_list_page, name="class_list"),
    path(
        "counselor/classes/<int:pk>/list/not-signed-up.xlsx",
        classlists.class_list_missing_export,
        name="class_list_missing_export",
    ),
    path(
        "counselor/class-lists/template.xlsx",
        classlists.class_list_template,
        name="class_list_template",
    ),
    path(
        "counselor/class-lists/upload/",
        classlists.class_list_upload_many,
        name="class_list_upload_many",
    ),
    path(
        "counselor/class-lists/imports/<int:pk>/",
        classlists.class_list_import,
        name="class_list_import",
    ),
    path(
        "counselor/class-lists/imports/<int:pk>/apply/",
        classlists.class_list_import_apply,
        name="class_list_import_apply",
    ),
]
