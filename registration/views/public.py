from django.shortcuts import render

from registration import selectors


def home(request):
    session = selectors.session_current()
    return render(request, "registration/home.html", {"session": session})
