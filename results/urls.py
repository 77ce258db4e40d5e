from django.urls import path

from results.views import entry, staff

app_name = "results"

urlpatterns = [
    path("", staff.results_home, name="home"),
    path("sittings/<int:pk>/", staff.sitting_scores, name="sitting"),
    path("sittings/<int:pk>/review/", staff.sitting_review, name="review"),
    path("scores/<int:pk>/resolve/", staff.score_resolve, name="resolve"),
    path("scores/<int:pk>/amend/", staff.score_amend, name="amend"),
    path("sittings/<int:pk>/import/", staff.import_upload, name="import"),
    path("imports/<int:pk>/", staff.import_detail, name="import_detail"),
    path("imports/<int:pk>/apply/", staff.import_apply, name="import_apply"),
    path("entry/", entry.entry_home, name="entry_home"),
    path("entry/<int:pk>/<int:room>/", entry.entry_room, name="entry_room"),
]
