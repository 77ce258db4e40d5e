"""The training pages use the round, classes and staff of the training services' tests."""

from tests.registration.training.conftest import (  # noqa: F401  (fixtures)
    academic,
    counselor,
    other_counselor,
    roles,
    trainer,
    world,
)
