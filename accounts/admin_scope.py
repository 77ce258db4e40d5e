"""Django admin with the workspace's scope: every ModelAdmin of the project mixes this in.

A counselor, trainer or finance clerk whom an admin marks `is_staff` (and grants model
permissions) sees in Django admin exactly the rows the workspace shows them, never more:

- `scope` (required) names the rows a user may see, as a function `user -> Q` built from the
  scope functions of `accounts.access` (`registration_scope`, `class_scope`, `training_scope`…),
  or `UNSCOPED` for reference data without personal data (rounds, levels, rooms, fee items…),
  which model permissions alone govern. The changelist, the change and delete pages, the history
  pages (django-simple-history would otherwise fall back to an old version of an object outside
  the scope), every action (they receive the changelist's queryset) and the choices of foreign
  keys in change forms (the related admin's scope) all read `get_queryset`.
- Fields that name who did something (`marked_by`, `created_by`, any foreign key to the user
  model ending in `_by`) are read-only; those listed in `author_fields` are set to the user
  saving the form.

`tests/accounts/test_admin_scope.py` walks `admin.site._registry`, so a ModelAdmin added later
is checked without editing the test.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import Http404

Scope = Callable[[object], Q]


def UNSCOPED(user) -> Q:
    """Reference data: every row for whoever holds the model permission."""
    return Q()


def user_fields_named_by(model) -> list[str]:
    """Foreign keys to the user model named `…_by`: who marked, created, recorded something."""
    user_label = settings.AUTH_USER_MODEL.lower()
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "many_to_one", False)
        and field.concrete
        and field.name.endswith("_by")
        and field.related_model._meta.label_lower == user_label
    ]


class ScopedAdminMixin:
    scope: Scope | None = None
    # Set to request.user whenever the form is saved (the saver is the author of what it says).
    author_fields: tuple[str, ...] = ()

    def _scope(self, request) -> Q:
        if self.scope is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must declare `scope` (accounts.admin_scope)."
            )
        return type(self).scope(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        condition = self._scope(request)
        if condition == Q():
            return queryset
        # A subquery, so that a scope through a many-valued relation neither duplicates rows
        # nor changes the counts a ModelAdmin annotates.
        return queryset.filter(pk__in=self.model._default_manager.filter(condition).values("pk"))

    def _in_scope_or_404(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [
            name for name in user_fields_named_by(self.model) if name not in readonly
        ]

    def save_model(self, request, obj, form, change):
        for name in self.author_fields:
            setattr(obj, name, request.user)
        super().save_model(request, obj, form, change)

    def _related_scope(self, request, db_field, queryset):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, ScopedAdminMixin):
            return related_admin.get_queryset(request)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = self._related_scope(request, db_field, formfield.queryset)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = self._related_scope(request, db_field, formfield.queryset)
        return formfield
