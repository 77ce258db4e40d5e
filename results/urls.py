from django.urls import path

from results.views import certs, entry, exchange, outcomes, reviews, staff

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
    path("rounds/<int:pk>/notice/", outcomes.notice_publish, name="notice_publish"),
    path("notice/<slug:slug>/", outcomes.public_notice, name="notice"),
    path("rates/", outcomes.rates, name="rates"),
    path("rates.xlsx", outcomes.rates_export, name="rates_xlsx"),
    path("retakes/", outcomes.retakes, name="retakes"),
    path("retakes/offer/", outcomes.retakes_offer, name="retakes_offer"),
    path("certificates/", certs.certificate_list, name="certificates"),
    path("certificates/collect/", certs.certificates_collect, name="collect"),
    path("certificates/<int:pk>/", certs.certificate_edit, name="certificate_edit"),
    path(
        "certificates/<int:pk>/collection/",
        certs.certificate_collection,
        name="certificate_collection",
    ),
    path("certificates/<int:pk>/revoke/", certs.certificate_revoke, name="certificate_revoke"),
    path("reviews/", reviews.review_requests, name="review_requests"),
    path("reviews/<int:pk>/decide/", reviews.review_decide, name="review_decide"),
    path("me/<int:pk>/<str:token>/review/", reviews.review_request, name="review_request"),
    path("scorers/", reviews.scorer_rotation, name="scorer_rotation"),
    path("exchange/", exchange.exchange_home, name="exchange"),
    path("exchange/scores.xlsx", exchange.score_sheet, name="score_sheet"),
    path("entry/", entry.entry_home, name="entry_home"),
    path("entry/<int:pk>/<int:room>/", entry.entry_room, name="entry_room"),
]
