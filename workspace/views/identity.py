"""Staff correct a candidate's name or ID number (the student cannot once it is confirmed)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.access import access_required
from registration.services import identity
from registration.services.identity import IdentityError
from workspace.selectors import counselor as selectors

CHANGED = _("已更正 {name} 的身份信息；准考证下次打开时按新信息生成。")


class IdentityForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=30)
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=24,
        help_text=_("请对照身份证原件输入完整号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=identity.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写入报名的修改历史，如：身份证号末位录入错误，已核对身份证原件。"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@access_required(access.uses_workspace)
def registration_identity(request, pk: int):
    registration = selectors.registration_get_visible(user=request.user, pk=pk)
    if registration is None or not access.may_review(request.user, registration):
        raise Http404
    form = IdentityForm(request.POST or None, initial={"name": registration.name})
    if request.method == "POST" and form.is_valid():
        try:
            identity.registration_identity_change(
                registration=registration,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except IdentityError as error:
            form.add_error(error.field, str(error.message))
        else:
            registration.refresh_from_db()
            messages.success(request, str(CHANGED).format(name=registration.name))
            return redirect("registration:counselor_registration", pk=registration.pk)
    changes = registration.history.filter(
        history_change_reason__startswith="身份信息更正"
    ).select_related("history_user")[:20]
    return render(
        request,
        "registration/counselor/identity.html",
        {
            "registration": registration,
            "exam_round": registration.round,
            "form": form,
            "changes": changes,
            "confirmed": identity.identity_confirmed(registration),
        },
        status=200 if not form.errors else 400,
    )
