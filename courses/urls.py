from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.home, name="home"),
    path("classes/<int:pk>/", views.roster, name="roster"),
    path("classes/<int:pk>/assign/", views.assign, name="assign"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/classes/<int:class_pk>/", views.attendance, name="attendance"),
    path("enrollments/<int:pk>/complete/", views.complete, name="complete"),
]
