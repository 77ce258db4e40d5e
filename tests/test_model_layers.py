"""Models follow the layers too: no model of a lower app points at a model of a higher one.

import-linter sees imports only; a foreign key given as a string ("registration.Registration")
or a model fetched with `apps.get_model` escapes it. This test reads the layer order from the
import contract in pyproject.toml and checks every relation field of every project model
(history models included) against it, and every `get_model("<app>"…)` call in the code (outside
migrations, whose historical models are meant to be fetched that way).
"""

import re
from pathlib import Path

from django.apps import apps

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli comes with import-linter
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

# Known upward references: none is left (the last, `fees.Payment.registration`, went when the
# ledger moved to `registration.ledger`; docs/architecture.md). Any new one fails the test.
KNOWN_UPWARD: set[tuple[str, str]] = set()

# `get_model("app", "Model")`, `get_model("app.Model")` or `get_model('app'…)`.
GET_MODEL = re.compile(r"""get_model\(\s*["']([a-z_]+)[."']""")


def layer_ranks(layers: list[str]) -> dict[str, tuple[int, str]]:
    """App label -> (rank, layer); rank 0 is the lowest layer."""
    ranks = {}
    for rank, layer in enumerate(reversed(layers)):
        for app in layer.split("|"):
            ranks[app.strip()] = (rank, layer)
    return ranks


def project_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["id"] == "layers")
    return contract["layers"]


def upward_references(layers: list[str]) -> set[tuple[str, str]]:
    """Relations from a model to a model of a higher layer, or of another app in its own layer."""
    ranks = layer_ranks(layers)
    found = set()
    for model in apps.get_models(include_auto_created=True):
        source = model._meta.app_label
        if source not in ranks:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model._meta.app_label
            if target == source or target not in ranks:
                continue
            (source_rank, _), (target_rank, _) = ranks[source], ranks[target]
            if target_rank >= source_rank:
                found.add((f"{source}.{model.__name__}.{field.name}", target))
    return found


def test_no_model_points_at_a_higher_layer():
    assert upward_references(project_layers()) == KNOWN_UPWARD


def test_a_model_pointing_upwards_is_found():
    # Control: with the layers turned upside down, the ordinary downward keys are reported.
    upside_down = list(reversed(project_layers()))
    found = upward_references(upside_down)
    assert ("registration.Registration.round", "rounds") in found
    assert ("fees.FeeItem.round", "rounds") in found


def test_every_project_app_has_a_layer():
    ranks = layer_ranks(project_layers())
    # An app of this repository has its own apps.py (a collected `staticfiles/` directory is not
    # django.contrib.staticfiles).
    project_apps = {
        c.label for c in apps.get_app_configs() if (ROOT / c.label / "apps.py").is_file()
    }
    assert project_apps - {"config"} <= set(ranks)


def get_model_calls_upwards(layers: list[str], root: Path = ROOT) -> set[tuple[str, str]]:
    """(file, app) for each `get_model` of a model of an app not below the file's app."""
    ranks = layer_ranks(layers)
    found = set()
    for app, (source_rank, _) in ranks.items():
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for target in GET_MODEL.findall(path.read_text(encoding="utf-8")):
                if target != app and target in ranks and ranks[target][0] >= source_rank:
                    found.add((path.relative_to(root).as_posix(), target))
    return found


def test_no_code_fetches_a_model_of_a_higher_layer():
    assert get_model_calls_upwards(project_layers()) == set()


def test_a_get_model_of_a_higher_layer_is_found(tmp_path):
    # Control: a lower app that fetches Registration by name is reported; a model of a lower
    # layer fetched the same way is not.
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "sneaky.py").write_text(
        'Registration = apps.get_model("registration", "Registration")\n'
        "Round = apps.get_model('rounds.ExamRound')\n"
    )
    assert get_model_calls_upwards(project_layers(), root=tmp_path) == {
        ("courses/sneaky.py", "registration")
    }
