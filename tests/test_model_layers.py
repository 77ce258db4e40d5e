"""Models follow the layers too: no model of a lower app points at a model of a higher one.

import-linter sees imports only; a foreign key given as a string ("registration.Registration")
or a model fetched with `apps.get_model` escapes it. This test reads the layer order from the
import contract in pyproject.toml and checks every relation field of every project model
(history models included) against it.
"""

from pathlib import Path

from django.apps import apps

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli comes with import-linter
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

# Known, documented upward references (docs/architecture.md, "What is left"). The test fails
# when one disappears as well, so the list cannot go stale.
KNOWN_UPWARD = {
    ("courses.TrainingEnrollment.registration", "registration"),
    ("courses.HistoricalTrainingEnrollment.registration", "registration"),
    ("fees.Payment.registration", "registration"),
}


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
    project_apps = {c.label for c in apps.get_app_configs() if (ROOT / c.label).is_dir()}
    assert project_apps - {"config"} <= set(ranks)
