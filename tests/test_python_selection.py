"""`make` builds the venv with a Python the dependencies support, or says plainly which it needs.

The Makefile target `python-pick` runs the same selection as `make venv`; here it runs with a PATH
holding only fake interpreters, so each case is exactly the machine it describes.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def fake_python(folder: Path, name: str, version: str | None, *, has_venv: bool = True) -> None:
    """An executable answering like `python3.X`; version None means it fails like a pyenv shim."""
    if version is None:
        body = f'echo "pyenv: {name}: command not found" >&2\nexit 127\n'
    else:
        venv_rc = 0 if has_venv else 1
        body = (
            f'case "$2" in *ensurepip*) exit {venv_rc} ;; esac\n'
            f'case "$1" in --version) echo "Python {version}.1" ;; *) echo "{version}" ;; esac\n'
        )
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def pick(folder: Path, *make_args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), "python-pick", *make_args],
        env={"PATH": str(folder)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_python_pick_prefers_the_newest_supported_version(tmp_path):
    fake_python(tmp_path, "python3", "3.11")
    fake_python(tmp_path, "python3.11", "3.11")
    fake_python(tmp_path, "python3.12", "3.12")
    fake_python(tmp_path, "python3.14", "3.14")

    result = pick(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python3.12"


def test_python_pick_skips_a_shim_that_does_not_run_and_one_without_venv(tmp_path):
    fake_python(tmp_path, "python3.13", None)
    fake_python(tmp_path, "python3.12", "3.12", has_venv=False)
    fake_python(tmp_path, "python3", "3.10")

    result = pick(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python3"


def test_python_pick_names_the_versions_it_needs_when_none_fits(tmp_path):
    fake_python(tmp_path, "python3", "3.9")
    fake_python(tmp_path, "python3.12", "3.12", has_venv=False)

    result = pick(tmp_path)

    assert result.returncode != 0
    assert result.stdout == ""
    assert "needs Python 3.10, 3.11, 3.12, 3.13" in result.stderr
    assert "python3: Python 3.9, not supported" in result.stderr
    assert "apt-get install python3.12-venv" in result.stderr


def test_python_pick_takes_an_explicit_python_and_still_checks_it(tmp_path):
    fake_python(tmp_path, "python3.13", "3.13")
    fake_python(tmp_path, "python3.11", "3.11")
    fake_python(tmp_path, "python3.9", "3.9")

    assert pick(tmp_path, "PYTHON=python3.11").stdout.strip() == "python3.11"
    refused = pick(tmp_path, "PYTHON=python3.9")
    assert refused.returncode != 0
    assert "Python 3.9, not supported" in refused.stderr


def test_supported_pythons_agree_with_requires_python():
    makefile = (ROOT / "Makefile").read_text()
    supported = re.search(r"^SUPPORTED_PYTHONS := (.+)$", makefile, re.M).group(1).split()
    pyproject = (ROOT / "pyproject.toml").read_text()
    requires = SpecifierSet(re.search(r'^requires-python = "(.+)"$', pyproject, re.M).group(1))

    assert supported == sorted(supported, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    for version in supported:
        assert f"{version}.0" in requires
    lowest, highest = (tuple(map(int, v.split("."))) for v in (supported[-1], supported[0]))
    assert f"{lowest[0]}.{lowest[1] - 1}.0" not in requires
    assert f"{highest[0]}.{highest[1] + 1}.0" not in requires
