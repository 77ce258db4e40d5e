"""Staff sign-in, sign-out and password change: Django's auth views with Chinese templates.

Failed sign-ins are counted by django-axes (see settings); a locked-out username or address gets
`registration/login_locked.html`.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import roles

LOGGED_OUT = _("您已安全退出。")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Each role lands on its own workspace: counselors and 教务 (and admins) on the
        dashboard, finance on the payment lists, other staff in admin."""
        user = self.request.user
        if roles.can_use_workspace(user):
            return reverse("registration:counselor_dashboard")
        if user.has_perm("registration.add_paymentimport") or user.has_perm(
            "registration.view_statistics"
        ):
            if user.has_perm("registration.add_paymentimport"):
                return reverse("fees:finance_home")
            return reverse("fees:statistics")
        if user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()


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
