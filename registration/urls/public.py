from django.urls import path

from registration.views import public

urlpatterns = [
    path("", public.home, name="home"),
]
