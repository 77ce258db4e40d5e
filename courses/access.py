"""Who may take attendance, see progress and record completion in the training pages.

Kept in `courses` (no import of `registration`): the roles are Django permissions that
`accounts.roles` grants to its groups; adding attendance is a permission of the `Attendance`
model, which lives in `registration.training` (it points at registrations).
Scope mirrors the counselor workspace:

- `courses.manage_training` (教务) or a superuser: every training class and every class (班级);
- a trainer (培训教师) listed on a training class: every student of that training class;
- a counselor (辅导员): the students of the classes (班级) they counsel.
"""

ATTENDANCE_PERMISSION = "registration.add_attendance"
MANAGE_PERMISSION = "courses.manage_training"


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_use_training(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm(ATTENDANCE_PERMISSION))


def can_manage_all(user) -> bool:
    """教务 and superusers: every training class of every round."""
    return _active(user) and (user.is_superuser or user.has_perm(MANAGE_PERMISSION))


def is_trainer_of(user, training_class) -> bool:
    return _active(user) and training_class.trainers.filter(pk=user.pk).exists()


def can_mark(user, *, training_class, school_class) -> bool:
    """Attendance for one class (班级) of one training class; `school_class` may be None."""
    if not can_use_training(user):
        return False
    if can_manage_all(user) or is_trainer_of(user, training_class):
        return True
    return school_class is not None and school_class.counselor_id == user.pk


def can_complete(user, *, training_class) -> bool:
    """Recording completion by hand is for 教务 and the class's trainers, not counselors."""
    return can_use_training(user) and (can_manage_all(user) or is_trainer_of(user, training_class))
