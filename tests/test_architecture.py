"""The import contracts of docs/architecture.md are enforced: a back-import makes lint fail."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def tree_copy(tmp_path):
    """The project's packages and pyproject.toml, copied so that a test may break them."""
    for package in ROOT.iterdir():
        if (package / "__init__.py").is_file() and package.name != "tests":
            shutil.copytree(
                package, tmp_path / package.name, ignore=shutil.ignore_patterns("__pycache__")
            )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_project_keeps_its_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_a_lower_layer_importing_a_higher_one_fails(tree_copy):
    assert lint_imports(tree_copy).returncode == 0  # the copy alone is clean
    money = tree_copy / "common" / "money.py"
    money.write_text(money.read_text() + "\nimport registration.models  # noqa\n")

    result = lint_imports(tree_copy)

    assert result.returncode != 0
    assert "Apps import only the layers below them BROKEN" in result.stdout
    assert "common.money -> registration.models" in result.stdout


def test_the_eligibility_engine_importing_django_fails(tree_copy):
    rules = tree_copy / "eligibility" / "engine" / "rules.py"
    rules.write_text(rules.read_text() + "\nfrom django.db import models  # noqa\n")

    result = lint_imports(tree_copy)

    assert result.returncode != 0
    assert "The eligibility engine is plain Python: no Django, no app BROKEN" in result.stdout
