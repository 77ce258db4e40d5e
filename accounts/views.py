"""Staff sign-in, sign-out and password change: Django's auth views with Chinese templates.

Failed sign-ins are counted by django-axes (see settings); a locked-out username or address gets
`registration/login_locked.html`.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

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
