from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.archive_home, name="home"),
    path("rounds/<int:pk>/", views.archive_round, name="archive"),
    path("rounds/<int:pk>/download/", views.archive_download, name="download"),
]
