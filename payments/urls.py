from django.urls import path

from payments import views

app_name = "fees"

urlpatterns = [
    path("finance/", views.finance_home, name="finance_home"),
    path("finance/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("finance/imports/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("finance/payments/", views.registration_payment, name="registration_payment"),
    path("stats/", views.statistics, name="statistics"),
    path("stats/export.xlsx", views.statistics_export, name="statistics_export"),
]
