"""Staff side of 补充资料: a candidate's photo on the counselor's page, and returning it."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import access
from accounts.access import access_required
from registration.services import supplement
from registration.services.supplement import SupplementError
from registration.views.supplement import photo_response
from workspace.selectors import counselor as counselor_selectors

PHOTO_RETURNED = _l("已退回该考生的证件照，考生会在自助页看到原因。")


class ReturnPhotoForm(forms.Form):
    reason = forms.CharField(label=_l("退回原因"), max_length=200)


@never_cache
@access_required(access.uses_workspace)
def staff_photo(request, pk: int):
    registration = counselor_selectors.registration_get_visible(user=request.user, pk=pk)
    if registration is None:
        raise Http404
    return photo_response(registration)


@never_cache
@access_required(access.uses_workspace)
@require_POST
def photo_return(request, pk: int):
    registration = counselor_selectors.registration_get_visible(user=request.user, pk=pk)
    if registration is None:
        raise Http404
    form = ReturnPhotoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回照片时请填写原因（不超过 200 个字）。"))
    else:
        try:
            supplement.photo_return(
                registration=registration,
                reviewer=request.user,
                reason=form.cleaned_data["reason"],
            )
        except SupplementError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, PHOTO_RETURNED)
    return redirect("registration:counselor_registration", pk=registration.pk)
