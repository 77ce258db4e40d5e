"""Staff sign-in, sign-out and password change: Django's auth views with Chinese templates.

Failed sign-ins are throttled per browser, per account and per address (accounts/login_throttle.py);
a locked-out sign-in, here or in Django admin, gets `registration/login_locked.html` saying what
is locked and until when.
"""

from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import login_throttle
from accounts.context_processors import staff_home

LOGGED_OUT = _("您已安全退出。")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Each role lands on its first staff page (the navigation's first link): counselors,
        教务 and admins on the workspace, finance on the payment lists, invigilators on
        check-in, other staff in admin."""
        return staff_home(self.request.user) or super().get_default_redirect_url()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "throttle": login_throttle.policy()}

    def form_invalid(self, form):
        if login_throttle.locked_out(form):
            return _lock_page(self.request, form)
        return super().form_invalid(form)


def _lock_page(request, form):
    credentials = {"username": form.data.get("username", "")}
    return login_throttle.lock_response(request, login_throttle.device_lock(request, credentials))


def admin_login(request, extra_context=None):
    """Django admin's sign-in, with the same lock page as the workspace's."""
    response = admin.site.login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.is_bound and login_throttle.locked_out(form):
        return _lock_page(request, form)
    return response


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("registration:login")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, LOGGED_OUT)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("registration:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
