"""Rows of this app that a round's backup carries with the skill level they belong to.

A level's pass rule and retake rule point at the level, not at a round, yet the restored round's
results are computed with them. See registration/backups/registry.py.
"""

from registration.backups.registry import register_reference_rows
from results.models import RetakeRule, ScoreRule
from rounds.models import SkillLevel

register_reference_rows(shared=SkillLevel, rows=ScoreRule, field="level")
register_reference_rows(shared=SkillLevel, rows=RetakeRule, field="level")
