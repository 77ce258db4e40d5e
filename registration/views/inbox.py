"""The candidate's inbox on the private link, and how they want to be reached beyond it."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.ratelimit import rate_limit_hit
from messaging import selectors
from messaging.services import MessagingError, contact_preference_set, inbox_mark_read
from registration.messages import recipient_of
from registration.views.student import _registration_or_404

POSTS_PER_HOUR = 20


class ContactForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱（选填，如 QQ 邮箱）"), required=False, max_length=254
    )
    email_consent = forms.BooleanField(
        label=gettext_lazy("我同意通过该邮箱接收报名和考试通知"), required=False
    )
    nonessential_off = forms.BooleanField(
        label=gettext_lazy("不通过邮件和短信接收非必要提醒（如缴费、补充资料提醒）"),
        required=False,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def inbox_page(request, pk: int, token: str):
    registration = _registration_or_404(pk, token)
    preference = selectors.contact_preference(registration.pk)
    form = ContactForm(
        request.POST or None,
        initial={
            "email": preference.email if preference else "",
            "email_consent": bool(preference and preference.email),
            "nonessential_off": bool(preference and preference.nonessential_off),
        },
    )
    if request.method == "POST":
        if rate_limit_hit(
            scope="inbox-contact",
            key=str(registration.pk),
            limit=POSTS_PER_HOUR,
            window_seconds=3600,
        ):
            messages.error(request, _("操作过于频繁，请稍后再试。"))
            return redirect(request.path)
        if form.is_valid():
            try:
                contact_preference_set(recipient=recipient_of(registration), **form.cleaned_data)
            except MessagingError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("通知设置已保存。"))
                return redirect(request.path)
    inbox = list(selectors.inbox(registration.pk)[:100])
    unread = {m.pk for m in inbox if m.read_at is None}
    inbox_mark_read(recipient_ref=registration.pk)
    return render(
        request,
        "registration/student/inbox.html",
        {"registration": registration, "inbox": inbox, "unread": unread, "form": form},
    )
