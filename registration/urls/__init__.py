"""URL map of the registration app, one module per audience."""

from registration.urls import counselor, public, student

app_name = "registration"

urlpatterns = [*public.urlpatterns, *student.urlpatterns, *counselor.urlpatterns]
