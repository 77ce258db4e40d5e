"""Admin base class that shows an object's change history and never changes it.

django-simple-history's history page lets a user open an old version and POST it back (a revert);
with SIMPLE_HISTORY_REVERT_DISABLED the button is gone but the POST would still save, so we
refuse it here. History rows themselves have no admin of their own: nothing can edit or delete
them through the UI.
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    history_list_display: list[str] = []

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
