"""The engine stays plain Python: ruff bans Django there, and the engine's vocabulary matches the
model's choices."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eligibility import models
from eligibility.engine import vocabulary as v
from rounds.models import CandidateType

ROOT = Path(__file__).resolve().parents[2]


def _ruff() -> str:
    candidate = Path(sys.executable).with_name("ruff")
    found = str(candidate) if candidate.exists() else shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is a dev dependency and must be installed")
    return found


def _lint(source: str, filename: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_ruff(), "check", "--no-cache", "--stdin-filename", filename, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_ruff_bans_django_imports_in_the_engine():
    result = _lint("from django.db import models  # noqa: F401\n", "eligibility/engine/probe.py")

    assert result.returncode == 1
    assert "TID251" in result.stdout


def test_ruff_allows_django_imports_elsewhere_in_the_app():
    result = _lint("from django.db import models  # noqa: F401\n", "eligibility/probe.py")

    assert result.returncode == 0, result.stdout


def test_engine_source_passes_its_own_lint():
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "eligibility/engine"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )

    assert result.returncode == 0, result.stdout


def test_engine_vocabulary_matches_model_choices():
    assert set(v.SCHOOL_KINDS) == set(models.SchoolKind.values)
    assert set(v.MAJOR_RELATIONS) == set(models.MajorRelation.values)
    assert set(v.OCCUPATION_SCOPES) == set(models.OccupationScope.values)
    assert set(v.YEARS_BASES) == set(models.YearsBasis.values)
    assert set(v.CANDIDATE_TYPES) == set(models.CANDIDATE_TYPE_VALUES) == set(CandidateType.values)
