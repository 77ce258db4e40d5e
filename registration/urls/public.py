from django.urls import path

from registration.views import public

urlpatterns = [
    path("", public.home, name="home"),
    path("rounds/", public.round_list, name="round_list"),
    path("rounds/<slug:slug>/", public.round_detail, name="round_detail"),
]
