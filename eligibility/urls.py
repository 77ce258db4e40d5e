from django.urls import path

from eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("", views.self_check, name="self_check"),
    path("api/evaluate", views.api_evaluate, name="api_evaluate"),
]
