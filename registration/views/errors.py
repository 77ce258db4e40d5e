"""Friendly error pages in Chinese.

The 500 page is rendered without a request context: when the database is what failed, the
context processors (the logged-in user, messages) would fail again.
"""

from django.http import HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.urls import Resolver404
from django.utils.functional import Promise


def page_not_found(request, exception=None):
    # A view's own Http404("…") message is shown; the resolver's (a dict of tried patterns) is not.
    reason = ""
    if exception is not None and not isinstance(exception, Resolver404) and exception.args:
        message = exception.args[0]
        if isinstance(message, str | Promise):
            reason = str(message)
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render({"reason": reason}, request))


def server_error(request):
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render())
