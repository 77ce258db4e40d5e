from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("培训安排")
    # Its cached models, personal fields and role permissions (common.appdata).
    declarations = "courses.data"
