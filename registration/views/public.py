from django.shortcuts import render

from registration.selectors import public as selectors


def home(request):
    session = selectors.session_current()
    return render(request, "registration/home.html", {"session": session})
