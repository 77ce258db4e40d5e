"""URL map of the registration app, one module per audience.

config/urls.py serves these together with the staff pages of `workspace` and the login pages of
`accounts` under one namespace, `registration`, so every URL name stayed what it was.
"""

from registration.urls import public, student

app_name = "registration"

urlpatterns = [*public.urlpatterns, *student.urlpatterns]
