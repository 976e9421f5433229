"""schemathesis against the server's own OpenAPI document (in process, ASGI): whatever the
schemas let a client send, and what they forbid, no answer is a 5xx, and every answer
conforms to its published schema, status code and content type.

Bounded to stay well under a minute on two cores: a few dozen examples an operation,
derandomized (the same examples every run, as the hypothesis profile of conftest.py).
"""
from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (content_type_conformance, not_a_server_error,  # noqa: E402
                                 response_schema_conformance, status_code_conformance)

from handprop.server import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema(case):
    response = case.call()
    assert response.status_code < 500, (case.path, response.status_code, response.text[:500])
    case.validate_response(response, checks=CHECKS)
