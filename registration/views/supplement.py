"""补充资料 (platform data and ID photo) behind the private link, and photo access for staff."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.ratelimit import rate_limit_hit
from registration import candidate_data
from registration.candidate_data import SELF_DECLARED_EXAM_TYPES, Education, ExamType, IdType
from registration.models import PhotoStatus, RegistrationStatus
from registration.photos import PhotoBusy, PhotoError, read_upload
from registration.selectors import student as selectors
from registration.services import supplement
from registration.services.supplement import SupplementError

SAVED = _l("补充资料已保存。")
RATE_LIMITED = _l("提交过于频繁，请15分钟后再试。")
# POSTs per window to one private link: nobody needs more; a loop probing which document
# numbers are registered in the round ("该证件号码已在本批次报名") or flooding uploads does.
POST_LIMIT_PER_REGISTRATION = 30
POST_WINDOW_SECONDS = 15 * 60
BUSY_RETRY_AFTER_SECONDS = 10
PHOTO_SAVED = _l("证件照已上传。请核对预览，不合适可重新上传。")


class SupplementForm(forms.Form):
    id_type = forms.ChoiceField(label=_l("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_l("证件号码"), max_length=30)
    education = forms.ChoiceField(
        label=_l("文化程度"), choices=[("", _l("请选择")), *Education.choices]
    )
    exam_type_theory = forms.ChoiceField(
        label=_l("理论知识考试类型"), choices=SELF_DECLARED_EXAM_TYPES, widget=forms.RadioSelect
    )
    exam_type_skill = forms.ChoiceField(
        label=_l("操作技能考试类型"), choices=SELF_DECLARED_EXAM_TYPES, widget=forms.RadioSelect
    )

    def __init__(self, *args, retake: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if retake:
            # A retake registration's exam types come from its offer: shown, not chosen.
            del self.fields["exam_type_theory"]
            del self.fields["exam_type_skill"]


class PhotoForm(forms.Form):
    # A plain FileField, not ImageField: photos.photo_process decodes and checks the bytes itself.
    photo = forms.FileField(
        label=_l("证件照"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "id": "id_photo"}),
    )


def _registration_or_404(pk: int, token: str):
    registration = selectors.registration_by_link(pk, token)
    if registration is None:
        raise Http404
    return registration


def photo_response(registration) -> HttpResponse:
    if not registration.photo:
        raise Http404
    try:
        with registration.photo.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _apply_error(form, error: SupplementError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _photo_save(photo_form: PhotoForm, registration) -> bool:
    if not photo_form.is_valid():
        return False
    try:
        data = read_upload(photo_form.cleaned_data["photo"])
        supplement.photo_upload(registration=registration, data=data)
    except PhotoBusy as exc:
        photo_form.add_error("photo", str(exc.message))
        photo_form.busy = True
        return False
    except PhotoError as exc:
        photo_form.add_error("photo", str(exc.message))
        return False
    except SupplementError as exc:
        _apply_error(photo_form, exc)
        return False
    return True


def _data_save(form: SupplementForm, registration) -> bool:
    if not form.is_valid():
        return False
    try:
        data = {
            "exam_type_theory": registration.exam_type_theory,
            "exam_type_skill": registration.exam_type_skill,
            **form.cleaned_data,
        }
        supplement.registration_supplement(registration=registration, **data)
    except SupplementError as exc:
        _apply_error(form, exc)
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def supplement_page(request, pk: int, token: str):
    registration = _registration_or_404(pk, token)
    exam_round = registration.round
    active = registration.status == RegistrationStatus.ACTIVE
    is_open = active and supplement.supplement_open(exam_round)
    # A returned photo may be replaced after the cut-off (the service allows it too).
    photo_open = is_open or (active and registration.photo_status == PhotoStatus.RETURNED)
    initial = {
        "id_type": registration.id_type,
        "id_number": registration.id_number,
        "education": registration.education,
        "exam_type_theory": registration.exam_type_theory,
        "exam_type_skill": registration.exam_type_skill,
    }
    retake = ExamType.EXEMPT in (registration.exam_type_theory, registration.exam_type_skill)
    form = SupplementForm(initial=initial, retake=retake)
    photo_form = PhotoForm()
    limited = request.method == "POST" and rate_limit_hit(
        scope="supplement",
        key=str(registration.pk),
        limit=POST_LIMIT_PER_REGISTRATION,
        window_seconds=POST_WINDOW_SECONDS,
    )
    if limited:
        messages.error(request, RATE_LIMITED)
        return redirect(request.path)
    if request.method == "POST" and request.POST.get("action") == "photo" and photo_open:
        photo_form = PhotoForm(request.POST, request.FILES)
        if _photo_save(photo_form, registration):
            messages.success(request, PHOTO_SAVED)
            return redirect(request.path)
    elif request.method == "POST" and request.POST.get("action") != "photo" and is_open:
        form = SupplementForm(request.POST, retake=retake)
        if _data_save(form, registration):
            messages.success(request, SAVED)
            return redirect(request.path)
    elif request.method == "POST":
        messages.error(request, _("补充资料已截止或报名已取消，不能修改。"))
    registration.refresh_from_db()
    response = render(
        request,
        "registration/student/supplement.html",
        {
            "registration": registration,
            "exam_round": exam_round,
            "form": form,
            "photo_form": photo_form,
            "is_open": is_open,
            "retake": retake,
            "photo_open": photo_open,
            "missing": candidate_data.missing_items(registration),
            "photo_version": registration.updated_at.timestamp(),
            "upload_max_mb": settings.UPLOAD_MAX_MB,
            "upload_max_bytes": settings.MAX_REQUEST_BODY_BYTES,
        },
        status=_status(request, form, photo_form),
    )
    if getattr(photo_form, "busy", False):
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


def _status(request, form, photo_form) -> int:
    if getattr(photo_form, "busy", False):
        return 503  # the form again, with "系统繁忙，请稍后重试" on the photo field
    return 400 if request.method == "POST" and (form.errors or photo_form.errors) else 200


@never_cache
def student_photo(request, pk: int, token: str):
    return photo_response(_registration_or_404(pk, token))
