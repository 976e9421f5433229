"""The request and response bodies of the API, as pydantic models: FastAPI publishes them in
``/openapi.json`` (and ``/docs``), and every answer of the server is one of them.

A problem travels as the mapping of a problem file (``docs/problem-format.md``), in
either form; the server reads it exactly as the command line reads a file, so its
schema here is only "a mapping": the messages of a bad problem are the CLI's, with the
field's path (``ErrorItem``).
"""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from .limits import MAX_CLAIMS_CHARS, MAX_TRAIN_STEPS

ProblemData = dict[str, Any]
FORMAT_NAMES = ("markdown", "latex", "typst", "pdf", "python", "html", "json", "text")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemRequest(_Request):
    problem: ProblemData = Field(description="a problem file's mapping, explicit or matrix shorthand "
                                             "(docs/problem-format.md)")


class ExplainRequest(ProblemRequest):
    digits: int = Field(6, ge=1, le=17, description="significant figures shown (the payload keeps "
                                                    "full float64 values)")


class RenderRequest(ExplainRequest):
    pass


class CheckRequest(ProblemRequest):
    claims: str = Field(max_length=MAX_CLAIMS_CHARS,
                        description="a claims file's text: one NAME = VALUE a line "
                                    "(docs/claims-format.md); a 'problem:' line is ignored, the "
                                    "request's problem is the one graded")


class TrainRequest(ProblemRequest):
    steps: int = Field(ge=1, le=MAX_TRAIN_STEPS, description="steps of gradient descent")
    every: Optional[int] = Field(None, ge=1, le=MAX_TRAIN_STEPS,
                                 description="record every K steps (default: about 100 records)")
    hidden_deltas: Literal["original", "updated"] = "original"


class ErrorItem(BaseModel):
    path: list[Union[str, int]] = Field(description="where: keys and list indices from the top of "
                                                    "the problem (for a problem's field), else of the "
                                                    "request (['steps'], ['claims', 3] for line 3)")
    field: str = Field(description="the same place as the command line writes it: layers[0].size")
    message: str = Field(description="what is wrong, in the command line's words")


class Errors(BaseModel):
    errors: list[ErrorItem]


class ValidateResponse(BaseModel):
    ok: bool
    errors: list[ErrorItem]


class ExplainResponse(BaseModel):
    problem: ProblemData = Field(description="the normalised problem in the explicit form: a problem "
                                             "file's mapping again")
    payload: dict[str, Any] = Field(description="what the static page draws "
                                                "(handprop.render.page.payload)")


class ClaimVerdict(BaseModel):
    name: str
    id: Optional[str]
    claimed: float
    exact: Optional[float]
    verdict: Literal["correct", "rounding", "carried", "wrong", "unknown"]
    diagnosis: Optional[str]
    first_wrong: Optional[str]


class CheckResponse(BaseModel):
    claims: list[ClaimVerdict]
    convention: Optional[str] = Field(None, description="present when the claims were judged in an "
                                                        "inferred convention")
    counts: dict[str, int]


class TrainResponse(BaseModel):
    """What ``handprop train --format json`` writes (``handprop.train/1``)."""
    model_config = ConfigDict(extra="allow")
    schema_: str = Field(alias="schema")
    problem: str
    steps: int
    every: int
    hidden_deltas: str
    engine: str
    loss: list[float]
    recorded_steps: list[int]
    parameters: dict[str, list[float]]
    initial: dict[str, Any]
    final: dict[str, Any]
    targets: dict[str, float]
    note: Optional[str] = None


class Example(BaseModel):
    name: str
    title: str
    problem: ProblemData


class Limits(BaseModel):
    body_bytes: int
    units_per_layer: int
    layers: int
    weights: int
    samples: int
    train_steps: int
    solution_steps: int
    claims_chars: int
    seconds: float
