"""The baseline: a bare Django view on the same gunicorn, settings and middleware as the app."""

from django.http import HttpResponse


def bare(request):
    return HttpResponse("ok", content_type="text/plain")
