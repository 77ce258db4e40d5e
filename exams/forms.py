from django import forms
from django.utils.translation import gettext_lazy as _

from exams.models import DrawMethod
from exams.services import REASON_MAX_LENGTH, SEED_MAX


class DrawForm(forms.Form):
    method = forms.ChoiceField(
        label=_("排座方式"), choices=DrawMethod.choices, initial=DrawMethod.RANDOM
    )
    seed = forms.IntegerField(
        label=_("随机种子（可留空）"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        help_text=_("留空则由系统生成并记录；填入以前的种子可复现当时的座位。"),
    )


class MoveForm(forms.Form):
    room = forms.TypedChoiceField(label=_("考场"), coerce=int)
    number = forms.IntegerField(label=_("座位号"), min_value=1, max_value=500)
    reason = forms.CharField(label=_("调整原因"), max_length=REASON_MAX_LENGTH)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.rooms = {room.pk: room for room in rooms}
        self.fields["room"].choices = [(room.pk, str(room)) for room in rooms]
