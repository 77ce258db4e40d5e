"""Staff fixtures, shared with the workspace tests: defined once, in tests/workspace/conftest.py."""

from tests.workspace.conftest import (  # noqa: F401 (pytest fixtures)
    academic,
    counselor,
    exam_round,
    other_class,
    other_counselor,
    other_registration,
    own_class,
    own_registration,
    roles,
)
