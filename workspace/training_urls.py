"""Training pages (roll call, rosters, completion); config/urls.py serves them under /training/.

They moved here from `courses` because they read and write registrations' training; the URL
namespace stays `courses` so that `reverse("courses:attendance", …)` and the templates keep working.
"""

from django.urls import path

from workspace.views import training as views

app_name = "courses"

urlpatterns = [
    path("", views.home, name="home"),
    path("classes/<int:pk>/", views.roster, name="roster"),
    path("classes/<int:pk>/assign/", views.assign, name="assign"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/classes/<int:class_pk>/", views.attendance, name="attendance"),
    path("enrollments/<int:pk>/complete/", views.complete, name="complete"),
]
