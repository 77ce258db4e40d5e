"""Training progress for templates of other apps (student page, counselor roster).

`training_status` reads the annotations of
`registration.training.selectors.registrations_with_training` (no query);
`student_training` loads one registration's progress and lessons (two queries).
"""

from django import template

from registration.training import selectors

register = template.Library()


@register.simple_tag
def training_status(registration):
    return selectors.progress_of(registration)


@register.simple_tag
def student_training(registration):
    return selectors.student_training(registration=registration)
