"""Shared fixtures and the hypothesis profiles.

Profiles, chosen by the environment variable HYPOTHESIS_PROFILE:

* ``ci`` (the default): sized so the property suites run in a few minutes on two
  shared cores under ``pytest -n 2``, and derandomized, so that a red CI is always
  reproducible (hunting for new failures is the job of ``thorough``);
* ``thorough``: many more examples, for a long run before a release
  (``HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py``).

Deadlines are off in both: the machine is shared, and timing is not the property.
Tests that are expensive per example (running a script) take a fraction of the
profile's examples: ``settings.default.max_examples`` is the profile's count.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, derandomize=True, **_COMMON)  # CI: the same examples every run
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, through Playwright) for the whole session."""
    from page_fixtures import launch_browser
    yield from launch_browser()


@pytest.fixture(scope="session")
def notes():
    """The built-in ``notes`` problem."""
    from handprop.problem import load
    return load("notes")


@pytest.fixture(scope="session")
def mazur():
    """The built-in ``mazur`` problem."""
    from handprop.problem import load
    return load("mazur")


@pytest.fixture
def cli(capsys):
    """Run ``handprop ARGS...`` in process: returns (exit status, stdout, stderr)."""
    from handprop.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run
