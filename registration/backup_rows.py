"""Rows of this app that a round's backup carries with the shared class they belong to.

A class's list (班级名单) and its uploads point at the class, not at a round, yet the class link of
a restored round must refuse an ID number that is not on the list: without them a restored class
looks list-less and accepts anyone. See registration/backups/registry.py.
"""

from registration.backups.registry import register_reference_rows
from registration.models import ClassListEntry, ClassListImport
from rounds.models import SchoolClass

register_reference_rows(shared=SchoolClass, rows=ClassListEntry, field="school_class")
register_reference_rows(shared=SchoolClass, rows=ClassListImport, field="school_class")
