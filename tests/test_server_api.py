"""The server's JSON API (``handprop serve``, docs/server.md) against independent truth: the
command line run on the same files (``handprop explain --format json``, ``handprop check``,
``handprop train``), in a subprocess; and every limit, header, error and cache of the API.

The app runs in process (FastAPI's TestClient); ``test_serve_runs_as_a_real_process`` starts
``handprop serve`` on a free loopback port, asks it, and stops it.
"""
from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
import yaml

warnings.filterwarnings("ignore", message=".*httpx2.*")
pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from cli_run import cli_error_of, run_cli  # noqa: E402
from handprop.problem import BUILTINS_DIR, builtins, load, parse  # noqa: E402
from handprop.runtime import SERVING_THRESHOLD  # noqa: E402
from handprop.server import create_app, limits, security, work  # noqa: E402

PROBLEMS = Path(__file__).parent / "problems"
FILES = [BUILTINS_DIR / "notes.yaml", BUILTINS_DIR / "mazur.yaml", PROBLEMS / "softmax_232.yaml",
         PROBLEMS / "three_layer.yaml", PROBLEMS / "two_samples_mean.yaml", PROBLEMS / "relu_kink.yaml"]
CLAIMS = BUILTINS_DIR / "notes-claims.txt"
SCRIPT_SRC = re.compile(r"script-src ([^;]*)")


@pytest.fixture(autouse=True)
def fresh_caches():
    work.SOLVED.clear()
    security.EXACT.clear()
    yield


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def data_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def notes_data() -> dict:
    return data_of(BUILTINS_DIR / "notes.yaml")


def matrix_222(scale: float = 1.0) -> dict:
    return {"inputs": 2, "layers": [
        {"size": 2, "activation": "sigmoid", "W": [[0.15 * scale, 0.20], [0.25, 0.30]], "b": 0.35},
        {"size": 2, "activation": "sigmoid", "W": [[0.40, 0.45], [0.50, 0.55]], "b": 0.60}],
        "samples": [{"inputs": [0.05, 0.10], "targets": [0.01, 0.99]}]}


def cli_json(*args: str) -> dict:
    out = run_cli(*args)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def cli_error(tmp_path: Path, data) -> str:
    """What ``handprop explain`` says of ``data`` written as a JSON file: 'field: message'."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return cli_error_of(path)


def assert_secure(response) -> None:
    h = response.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    scripts = SCRIPT_SRC.search(csp)
    assert "unsafe-inline" not in (scripts[1] if scripts else csp)
    assert "unsafe-eval" not in csp
    assert "access-control-allow-origin" not in h


# ---------------------------------------------------------------- explain

@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_explain_payload_is_the_cli_trace(client, path):
    """The payload's trace holds exactly the quantities and steps of `handprop explain FILE
    --format json` (the same float64 numbers, bit for bit)."""
    r = client.post("/api/explain", json={"problem": data_of(path)})
    assert r.status_code == 200, r.text
    assert_secure(r)
    got = r.json()
    cli = cli_json("explain", str(path), "--format", "json", "-o", "-")
    trace = got["payload"]["trace"]
    assert trace["values"] == cli["values"]
    assert [s["id"] for s in trace["steps"]] == [s["id"] for s in cli["steps"]]
    assert [s["value"] for s in trace["steps"]] == [s["value"] for s in cli["steps"]]
    assert trace["problem"] == cli["problem"]
    # the problem answered is the explicit form, and loads again to the same problem
    assert got["problem"] == cli["problem"]
    again = client.post("/api/explain", json={"problem": got["problem"]}).json()
    assert again["payload"]["trace"]["values"] == cli["values"]


def test_explain_payload_is_the_static_pages(client):
    """The payload is what the static page embeds (render/page/payload.py), digits included."""
    from handprop.render.page.payload import payload
    from handprop.solve import explain
    r = client.post("/api/explain", json={"problem": notes_data(), "digits": 4})
    expected = payload(explain(parse(notes_data(), name=work.NAME), digits=4), 4)
    assert r.json()["payload"] == json.loads(json.dumps(expected))


def test_explain_keeps_the_matrix_form(client):
    got = client.post("/api/explain", json={"problem": matrix_222()}).json()
    assert got["problem"]["form"] == "matrix"
    assert parse(got["problem"]).to_dict() == got["problem"]
    assert got["payload"]["doc"]["matrix"] is not None


# ---------------------------------------------------------------- validate: the CLI's messages at their paths

BAD = {
    "a layer of no units": (lambda d: d["layers"][0].update(size=0) or d, matrix_222,
                            ["layers", 0, "size"]),
    "a misspelt field": (lambda d: d.update(learnng_rate=0.5) or d, notes_data, ["learnng_rate"]),
    "a weight's value is text": (lambda d: d["weights"]["w5"].__setitem__(2, "big") or d, notes_data,
                                 ["weights", "w5", 2]),
    "an unknown activation": (lambda d: d["layers"][1].update(activation="sigmod") or d, notes_data,
                              ["layers", 1, "activation"]),
    "a sample's target missing": (lambda d: d["samples"][0].pop("targets") and d, notes_data,
                                  ["samples", 0, "targets"]),
    "a number too large": (lambda d: d["samples"][0].update(inputs=[1e300, 0.1]) or d, notes_data,
                           ["samples", 0, "inputs", 0]),
}


@pytest.mark.parametrize("case", BAD, ids=str)
def test_validate_gives_the_cli_message_at_its_path(client, tmp_path, case):
    change, base, path = BAD[case]
    data = change(base())
    r = client.post("/api/validate", json={"problem": data})
    assert r.status_code == 200
    got = r.json()
    assert got["ok"] is False and len(got["errors"]) == 1
    error = got["errors"][0]
    assert error["path"] == path
    assert f"{error['field']}: {error['message']}" == cli_error(tmp_path, data)
    # explain refuses it with the same error
    r = client.post("/api/explain", json={"problem": data})
    assert r.status_code == 422 and r.json() == {"errors": got["errors"]}
    assert_secure(r)


MANY = {   # each wrong on its own; the CLI reports each alone as the server reports it among the rest
    "weights.w5[2]": lambda d: d["weights"]["w5"].__setitem__(2, "abc"),
    "samples[0].targets[0]": lambda d: d["samples"][0]["targets"].__setitem__(0, "x"),
    "learning_rate": lambda d: d.update(learning_rate=-1),
    "learnng_rate": lambda d: d.update(learnng_rate=0.5),
    "samples[0].inputs[0]": lambda d: d["samples"][0]["inputs"].__setitem__(0, 1e300),
}


def test_validate_reports_every_wrong_field_each_as_the_cli_does_alone(client, tmp_path):
    """The editor marks every wrong field at once: the errors of all of them, in the order
    the reader meets them, each the command line's message for a file with that error alone."""
    data = notes_data()
    for change in MANY.values():
        change(data)
    got = client.post("/api/validate", json={"problem": data}).json()
    assert got["ok"] is False
    assert sorted(e["field"] for e in got["errors"]) == sorted(MANY)
    assert got["errors"][0]["field"] == cli_error(tmp_path, data).split(":")[0]     # the first: the CLI's
    for error in got["errors"]:
        alone = notes_data()
        MANY[error["field"]](alone)
        assert f"{error['field']}: {error['message']}" == cli_error(tmp_path, alone)
        assert error["path"] == work.path_of(error["field"])
    r = client.post("/api/explain", json={"problem": data})
    assert r.status_code == 422 and r.json() == {"errors": got["errors"]}


def test_validate_reports_no_error_a_stand_in_could_have_made(client):
    """A wrong target of a softmax network read as a stand-in breaks the targets' sum: that
    error is not the problem's, and is not reported; nor is anything after an error that is
    not one value's (a layer's units renamed: every weight into them is then wrong)."""
    data = yaml.safe_load((Path(__file__).parent / "problems" / "softmax_232.yaml").read_text())
    data["samples"][0]["targets"][0] = "one"
    errors = client.post("/api/validate", json={"problem": data}).json()["errors"]
    assert [e["field"] for e in errors] == ["samples[0].targets[0]"]
    data = notes_data()
    data["layers"][0]["units"] = ["H1"]
    data["learning_rate"] = -2
    errors = client.post("/api/validate", json={"problem": data}).json()["errors"]
    assert len(errors) == 1 and errors[0]["path"][0] == "weights"


def test_validate_reports_every_value_of_a_list_that_is_not_a_number(client, tmp_path):
    """A matrix of weights typed wrong is marked weight by weight: a value that is not a number
    is its own error whatever stands beside it; each message is the CLI's for that value alone."""
    data = matrix_222()
    bad = {(0, 0): "a", (0, 1): None, (1, 0): True, (1, 1): "0.3"}
    for (row, col), value in bad.items():
        data["layers"][1]["W"][row][col] = value
    data["samples"][0]["inputs"] = ["x", "y"]
    errors = client.post("/api/validate", json={"problem": data}).json()["errors"]
    fields = [f"layers[1].W[{r}][{c}]" for r, c in bad] + ["samples[0].inputs[0]", "samples[0].inputs[1]"]
    assert sorted(e["field"] for e in errors) == sorted(fields)
    for error in errors:
        alone = matrix_222()
        path = error["path"]
        node = alone
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = data["layers"][1]["W"][path[3]][path[4]] if path[0] == "layers" else "xy"[path[-1]]
        assert f"{error['field']}: {error['message']}" == cli_error(tmp_path, alone)


def test_validate_reports_no_error_that_a_default_or_a_neighbour_stood_in_for_made(client):
    """An activation left out is sigmoid, which has no alpha; a dampening stood in for as 0.5
    is refused by nesterov beside it: neither error is the problem's."""
    data = notes_data()
    data["layers"][0].update(activation="eluu", alpha=1.0)
    assert [e["field"] for e in client.post("/api/validate", json={"problem": data}).json()["errors"]] == \
        ["layers[0].activation"]
    data = notes_data()
    data["optimizer"] = {"name": "momentum", "momentum": 0.9, "dampening": "0", "nesterov": True}
    assert [e["field"] for e in client.post("/api/validate", json={"problem": data}).json()["errors"]] == \
        ["optimizer.dampening"]


def test_validate_a_good_problem(client):
    for data in (notes_data(), matrix_222()):
        assert client.post("/api/validate", json={"problem": data}).json() == {"ok": True, "errors": []}


def test_path_of_reads_every_kind_of_field():
    assert work.path_of("layers[0].size") == ["layers", 0, "size"]
    assert work.path_of("weights.w5[2]") == ["weights", "w5", 2]
    assert work.path_of("samples[3].inputs.x1") == ["samples", 3, "inputs", "x1"]
    assert work.path_of("") == []


# ---------------------------------------------------------------- check and train: the CLI's answers

def test_check_is_the_cli_check(client):
    cli = cli_json("check", str(CLAIMS), "--format", "json")
    text = CLAIMS.read_text(encoding="utf-8")
    r = client.post("/api/check", json={"problem": notes_data(), "claims": text})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["claims"] == cli["claims"]
    assert got.get("convention") == cli.get("convention")
    assert sum(got["counts"].values()) == len(cli["claims"])
    for verdict, n in got["counts"].items():
        assert n == sum(c["verdict"] == verdict for c in cli["claims"])
    # the same claims without their problem: line are graded the same
    bare = "\n".join(line for line in text.splitlines() if not line.startswith("problem"))
    assert client.post("/api/check", json={"problem": notes_data(), "claims": bare}).json() == got


def test_check_ignores_a_problem_line_naming_a_file(client):
    """A problem: line never reads a file of the server: the request's problem is graded."""
    claims = "problem: /etc/passwd\nnet_H1 = 0.3775\n"
    got = client.post("/api/check", json={"problem": notes_data(), "claims": claims}).json()
    assert [c["verdict"] for c in got["claims"]] == ["correct"]


def test_check_bad_claims_name_their_lines(client):
    r = client.post("/api/check", json={"problem": notes_data(),
                                        "claims": "net_H1 = 0.3775\nfoo\nout_H1 = x\n"})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["path"] for e in errors] == [["claims", 2], ["claims", 3]]
    assert "expected NAME = NUMBER" in errors[0]["message"]
    r = client.post("/api/check", json={"problem": notes_data(), "claims": "zzz = 1\n"})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == ["claims"]
    r = client.post("/api/check", json={"problem": notes_data(), "claims": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == ["claims"]


def test_train_is_the_cli_train(client):
    cli = cli_json("train", "mazur", "--steps", "50", "--every", "5", "--format", "json", "-o", "-")
    r = client.post("/api/train", json={"problem": data_of(BUILTINS_DIR / "mazur.yaml"), "steps": 50,
                                        "every": 5})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got.pop("problem") == work.NAME and cli.pop("problem") == "mazur"
    assert got == cli


# ---------------------------------------------------------------- render, examples

def test_render_every_format(client, tmp_path):
    cli = cli_json("explain", "notes", "--format", "json", "-o", "-")
    expect = {"pdf": b"%PDF-", "latex": b"\\documentclass", "markdown": b"#", "typst": b"",
              "python": b"", "html": b"<!doctype html>", "json": b"{", "text": b""}
    for fmt, start in expect.items():
        r = client.post(f"/api/render?format={fmt}", json={"problem": notes_data()})
        if r.status_code == 503 and fmt == "html":      # KaTeX absent: said, not crashed
            assert "KaTeX" in r.text
            continue
        assert r.status_code == 200, (fmt, r.text[:300])
        assert r.content.lower().startswith(start.lower()), (fmt, r.content[:40])
        assert r.headers["content-type"].split(";")[0] == work.CONTENT_TYPES[fmt].split(";")[0]
        disposition = r.headers["content-disposition"]
        assert re.fullmatch(r'attachment; filename="the-handwritten-notes-network\.[a-z]+"', disposition)
        assert_secure(r)
        if fmt == "json":
            assert r.json()["values"] == cli["values"]
        if fmt == "python":          # the script recomputes every value and asserts agreement
            script = tmp_path / "notes.py"
            script.write_bytes(r.content)
            run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
    r = client.post("/api/render?format=docx", json={"problem": notes_data()})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == ["query", "format"]


def test_examples_are_the_builtins(client):
    r = client.get("/api/examples")
    assert r.status_code == 200
    assert_secure(r)
    got = r.json()
    assert [e["name"] for e in got] == list(builtins())
    for e in got:
        assert parse(e["problem"]).to_dict() == load(e["name"]).to_dict()
        assert e["title"] == load(e["name"]).title


# ---------------------------------------------------------------- limits

def test_a_body_over_256_kb_is_413(client):
    padding = "x" * (limits.MAX_BODY + 10)
    r = client.post("/api/explain", json={"problem": {"title": padding}})
    assert r.status_code == 413
    assert "256 KB" in r.json()["errors"][0]["message"]
    assert_secure(r)

    def chunks():                       # no announced length: refused once it passes
        for _ in range(40):
            yield b" " * 8192

    r = client.post("/api/explain", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    small = client.post("/api/validate", json={"problem": notes_data()})
    assert small.status_code == 200


def wide(units: int, layers: int = 1, samples: int = 1, inputs: int = 2) -> dict:
    sizes = [inputs] + [units] * layers + [1]
    return {"inputs": inputs,
            "layers": [{"size": n, "W": [[0.01] * m for _ in range(n)], "b": 0.1}
                       for m, n in zip(sizes, sizes[1:])],
            "samples": [{"inputs": [0.5] * inputs, "targets": [0.5]} for _ in range(samples)]}


@pytest.mark.parametrize("data,path,words", [
    (wide(65), ["layers", 0, "size"], "64"),
    (wide(2, inputs=65), ["inputs"], "64"),
    (wide(2, layers=6), ["layers"], "limit of 6"),
    (wide(46, layers=2), ["layers"], "2,000"),
    (wide(2, samples=33), ["samples"], "32"),
    (wide(14, layers=3, samples=32), ["samples"], "4,000"),
], ids=["units", "inputs", "layers", "weights", "samples", "solution steps"])
def test_the_web_limits_are_422_naming_the_field(client, data, path, words):
    assert parse(data)        # within the command line's limits
    r = client.post("/api/explain", json={"problem": data})
    assert r.status_code == 422, r.text[:300]
    error = r.json()["errors"][0]
    assert error["path"] == path and words in error["message"] and "web limit" in error["message"]
    assert client.post("/api/validate", json={"problem": data}).json()["errors"] == [error]


def test_the_explicit_form_names_its_units_field(client):
    data = parse(wide(65)).to_dict()
    del data["form"]              # written out in the explicit form
    error = client.post("/api/explain", json={"problem": data}).json()["errors"][0]
    assert error["path"] == ["layers", 0, "units"]
    weights = parse(wide(46, layers=2)).to_dict()
    del weights["form"]
    assert client.post("/api/explain", json={"problem": weights}).json()["errors"][0]["path"] == ["weights"]


def test_training_steps_are_limited(client):
    r = client.post("/api/train", json={"problem": notes_data(), "steps": limits.MAX_TRAIN_STEPS + 1})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == ["steps"]
    r = client.post("/api/train", json={"problem": notes_data(), "steps": limits.MAX_TRAIN_STEPS})
    assert r.status_code == 200 and r.json()["steps"] == limits.MAX_TRAIN_STEPS


def test_a_slow_request_is_503_and_abandoned(monkeypatch):
    started = []

    def slow(problem, digits):
        started.append(time.monotonic())
        time.sleep(1.5)
        return b"{}"

    monkeypatch.setattr(work, "explain_answer", slow)
    monkeypatch.setattr(work, "small", lambda problem: False)   # else worked inline: no time limit needed
    with TestClient(create_app(time_limit=0.3)) as client:
        t = time.monotonic()
        r = client.post("/api/explain", json={"problem": notes_data()})
        took = time.monotonic() - t
    assert r.status_code == 503, r.text
    assert took < 1.2 and started
    message = r.json()["errors"][0]["message"]
    assert "time limit of 0.3 s" in message
    assert_secure(r)


def test_work_past_its_time_is_stopped(monkeypatch):
    """The abandoned work does not go on: its thread stops soon after the 503."""
    ticks = []

    def endless(problem, digits):
        while True:
            ticks.append(time.monotonic())
            time.sleep(0.01)

    monkeypatch.setattr(work, "explain_answer", endless)
    monkeypatch.setattr(work, "small", lambda problem: False)
    with TestClient(create_app(time_limit=0.3)) as client:
        r = client.post("/api/explain", json={"problem": notes_data()})
        assert r.status_code == 503
        time.sleep(0.3)
        stopped = len(ticks)
        time.sleep(0.4)
        assert len(ticks) == stopped, "the abandoned work goes on"
        monkeypatch.undo()
        client.app.state.time_limit = 60        # the pool still works
        assert client.post("/api/explain", json={"problem": notes_data()}).status_code == 200


def test_a_long_check_is_stopped_at_its_time_limit():
    """A real long search (60 claims, most of them wrong, on a network of 3,000 steps takes
    minutes): 503 at the limit, and the worker is free again at once."""
    from handprop.solve import explain
    data = wide(40, layers=1, samples=8)
    trace = explain(parse(data))
    rng = __import__("random").Random(1)
    claims = "\n".join(f"{q} = {trace.values[q] * rng.choice([1.1, 0.5, -1, 10]):.4g}"
                       for q in rng.sample([s.id for s in trace.steps], 60))
    with TestClient(create_app(time_limit=1.0)) as client:
        t = time.monotonic()
        r = client.post("/api/check", json={"problem": data, "claims": claims})
        assert r.status_code == 503 and time.monotonic() - t < 3
        t = time.monotonic()
        for _ in range(4):          # more than the pool's threads: none is still searching
            assert client.post("/api/validate", json={"problem": notes_data()}).status_code == 200
        assert time.monotonic() - t < 3


# ---------------------------------------------------------------- the caches

def test_identical_requests_are_answered_from_the_cache(client):
    body = {"problem": notes_data()}
    before = work.CALLS["explain"]
    first = client.post("/api/explain", json=body)
    assert work.CALLS["explain"] == before + 1
    hits = security.EXACT.hits
    second = client.post("/api/explain", json=body)
    assert work.CALLS["explain"] == before + 1, "worked again"
    assert security.EXACT.hits == hits + 1
    assert second.content == first.content
    assert_secure(second)
    # the same problem written in another key order, and in the other form: the solved cache
    reordered = {"problem": dict(reversed(list(notes_data().items())))}
    third = client.post("/api/explain", json=reordered)
    assert work.CALLS["explain"] == before + 1 and third.content == first.content
    # another digits is other work
    client.post("/api/explain", json={**body, "digits": 3})
    assert work.CALLS["explain"] == before + 2


def test_the_fast_explain_route_answers_as_fastapi_does(client):
    """A plain explain request skips FastAPI (``Front``'s fast route); a body it does not take
    goes through FastAPI; both give the same bytes and headers, and only the plain one is fast."""
    import importlib
    server_app = importlib.import_module("handprop.server.app")   # the package's `app` is the application
    fast = server_app.FAST_TAKEN["/api/explain"]
    plain = client.post("/api/explain", content=json.dumps({"problem": notes_data(), "digits": 4}),
                        headers={"content-type": "application/json"})
    security.EXACT.clear()
    work.SOLVED.clear()
    assert plain.status_code == 200 and server_app.FAST_TAKEN["/api/explain"] == fast + 1
    # FastAPI reads "4" and 4.0 as the integer 4: the fast route leaves such bodies to it
    for digits in ('"4"', "4.0"):
        body = '{"problem": %s, "digits": %s}' % (json.dumps(notes_data()), digits)
        slow = client.post("/api/explain", content=body, headers={"content-type": "application/json"})
        assert slow.status_code == 200 and slow.content == plain.content
        assert {k: v for k, v in slow.headers.items() if k != "content-length"} == \
            {k: v for k, v in plain.headers.items() if k != "content-length"}
    # what the fast route refuses to read, FastAPI answers as the contract says
    for body, status in (('{"problem": {}, "digits": 4, "extra": 1}', 422), ('{"problem": [1]}', 422),
                         ('{"problem": {"inputs": NaN}}', 422), ('{"problem": {}, "digits": 99}', 422),
                         ("[1, 2]", 422), ('{"problem": ', 400)):
        answer = client.post("/api/explain", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == status, body
        assert "errors" in answer.json()
    assert server_app.FAST_TAKEN["/api/explain"] == fast + 1, "the fast route took a body it must leave"
    assert server_app.FAST_KEYS == {"problem", "digits"}


def test_small_problems_are_worked_inline_and_others_in_a_worker_thread(client, monkeypatch):
    """A small problem's explanation (milliseconds) is worked on the event loop; a larger one,
    and every request FastAPI reads, in a worker thread under the time limit."""
    import threading
    threads = []
    real = work.explain_answer

    def spy(problem, digits):
        threads.append(threading.current_thread().name)
        return real(problem, digits)
    monkeypatch.setattr(work, "explain_answer", spy)
    assert client.post("/api/explain", json={"problem": notes_data()}).status_code == 200
    big = {"inputs": 4, "layers": [
        {"size": 5, "activation": "tanh", "W": [[0.1 * (i - j) for j in range(4)] for i in range(5)], "b": 0.1},
        {"size": 2, "activation": "sigmoid", "W": [[0.2, -0.1, 0.3, 0.05, -0.2]] * 2, "b": 0.2}],
        "samples": [{"inputs": [0.5, -0.5, 0.25, 1.0], "targets": [0.1, 0.9]}]}
    assert not work.small(parse(big))
    assert client.post("/api/explain", json={"problem": big}).status_code == 200
    assert client.post("/api/explain", json={"problem": matrix_222(), "digits": "5"}).status_code == 200
    assert not threads[0].startswith("handprop-work")
    assert threads[1].startswith("handprop-work") and threads[2].startswith("handprop-work"), threads


def test_the_cache_is_bounded():
    from handprop.cache import LRU
    cache = LRU(entries=3, max_bytes=100)
    for i in range(10):
        cache.put(b"k%d" % i, i, 10)
    assert len(cache) == 3 and cache.get(b"k9") == 9 and cache.get(b"k0") is None
    cache.put(b"big", 0, 1000)
    assert cache.get(b"big") is None
    for i in range(10):
        cache.put(b"m%d" % i, i, 30)
    assert cache.size <= 100


def test_no_error_is_cached_as_an_answer(client, monkeypatch):
    monkeypatch.setattr(work, "explain_answer", lambda p, d: (_ for _ in ()).throw(RecursionError()))
    r = client.post("/api/explain", json={"problem": matrix_222(2)})
    assert r.status_code == 422
    monkeypatch.undo()
    assert client.post("/api/explain", json={"problem": matrix_222(2)}).status_code == 200


# ---------------------------------------------------------------- hostile bodies, headers

HOSTILE = {
    "not JSON": b"{problem: notes",
    "JSON but an array": b"[1, 2, 3]",
    "a bare string": b'"notes"',
    "null": b"null",
    "empty": b"",
    "NaN": b'{"problem": {"inputs": 2, "layers": [{"size": 1, "W": [[NaN, 1]]}], '
           b'"samples": [{"inputs": [1, 2], "targets": [1]}]}}',
    "Infinity": b'{"problem": {"inputs": [Infinity]}}',
    "a huge number": b'{"problem": {"inputs": 2, "layers": [{"size": 1, "W": [[1e999, 1]]}], '
                     b'"samples": [{"inputs": [1, 2], "targets": [1]}]}}',
    "an integer of 5000 digits": b'{"problem": {"learning_rate": 1' + b"0" * 5000 + b"}}",
    "deep nesting": b'{"problem": {"title": ' + b"[" * 60000 + b"]" * 60000 + b"}}",
    "moderate nesting": b'{"problem": {"inputs": 2, "layers": ' + b"[" * 900 + b"]" * 900 + b"}}",
    "a problem that is a list": b'{"problem": [1, 2]}',
    "a field too many": b'{"problem": {}, "eval": "__import__(\'os\')"}',
    "digits as text": b'{"problem": {}, "digits": "6"}',
    "a boolean for steps": b'{"problem": {}, "steps": true}',
    "not UTF-8": b'{"problem": {"title": "\xff\xfe"}}',
}


@pytest.mark.parametrize("name", HOSTILE, ids=str)
def test_hostile_bodies_get_json_errors_never_a_traceback(client, name):
    for path in ("/api/validate", "/api/explain", "/api/check", "/api/train", "/api/render?format=json"):
        r = client.post(path, content=HOSTILE[name], headers={"content-type": "application/json"})
        assert r.headers["content-type"] == "application/json"
        if r.status_code == 200 and path == "/api/validate":     # a problem read, and refused
            assert r.json()["ok"] is False
        else:
            assert r.status_code in (400, 422), (path, r.status_code, r.text[:300])
        errors = r.json()["errors"]
        assert errors and all(set(e) == {"path", "field", "message"} for e in errors)
        assert "Traceback" not in r.text and 'File "' not in r.text
        assert_secure(r)


@pytest.mark.parametrize("body", [b"{problem: notes", b'{"problem": {', b"\x00\x01", b"{'a': 1}"])
def test_a_body_that_is_not_json_is_400_as_documented(client, body):
    for path in ("/api/validate", "/api/explain", "/api/check", "/api/train", "/api/render?format=json"):
        r = client.post(path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400, (path, r.status_code, r.text[:200])
        assert r.json()["errors"][0]["message"].startswith("the body is not valid JSON")
    spec = client.get("/openapi.json").json()["paths"]["/api/explain"]["post"]["responses"]
    assert "not be read as JSON" in spec["400"]["description"]


def test_a_key_given_twice_is_refused_as_the_cli_refuses_the_file(client, tmp_path):
    """JSON readers keep the last of two equal keys; the command line refuses such a file,
    and the server such a request, naming the key where it is (in the problem: as in its file)."""
    text = json.dumps(notes_data())
    twice = text[:-1] + ', "learning_rate": 0.9}'
    assert json.loads(twice)["learning_rate"] == 0.9          # what a reader would silently do
    (tmp_path / "twice.json").write_text(twice)
    cli = run_cli("explain", str(tmp_path / "twice.json"))
    assert cli.returncode == 2
    bodies = {
        '{"problem": ' + twice + "}": (["learning_rate"], "learning_rate"),
        '{"problem": ' + text.replace('"w5": [', '"w5": [1, 2, 3], "w5": [', 1) + "}": (["weights", "w5"], "w5"),
        '{"problem": ' + text + ', "digits": 4, "digits": 5}': (["digits"], "digits"),
        '{"problem": ' + text.replace('"title"', '"\\u0074itle": "x", "title"', 1) + "}": (["title"], "title"),
    }
    for body, (path, key) in bodies.items():
        for url in ("/api/validate", "/api/explain", "/api/render?format=markdown"):
            r = client.post(url, content=body.encode(), headers={"content-type": "application/json"})
            assert r.status_code == 422, (url, r.text[:200])
            error = r.json()["errors"][0]
            assert error["path"] == path and work.path_of(error["field"]) == path
            assert error["message"].startswith(f"the key {key!r} is given twice; keep one")
            assert_secure(r)
    assert "the key 'learning_rate' is given twice; keep one (the file reader would silently use the last)" \
        in cli.stderr.decode()
    # the same keys in different objects are no repetition
    assert client.post("/api/explain", json={"problem": notes_data()}).status_code == 200


def test_a_key_twice_is_found_whatever_the_body_holds(client):
    """The path the command line names (``check_document``), for bodies where objects are made
    and thrown away (ids reused), keys that are lone surrogates, any JSON content type, and a
    deep body of many numbers (answered, not stalled)."""
    from handprop.problem.reading import _decode, check_document
    from handprop.errors import ProblemError
    body = '{"k": [7], "z": {"b": {"c": 9, "a": [{"q": 1}], "b": [{"b": 0, "b": 7}, [6]]}}, "y": {"a": 1, "a": 2}}'
    with pytest.raises(ProblemError) as refused:
        check_document(_decode(body, "json"))
    cli_field = refused.value.field
    found = security.repeated_key(body.encode())
    assert found.field == cli_field == "z.b.b[0].b" and found.path == ("z", "b", "b", 0, "b")
    r = client.post("/api/validate", content=b'{"problem": {"\\ud83d": 1, "\\ud83d": 2}}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and "given twice" in r.json()["errors"][0]["message"]
    twice = '{"problem": ' + json.dumps(notes_data())[:-1] + ', "learning_rate": 0.9}}'
    for kind in ("Application/JSON", "application/problem+json", "application/json; charset=utf-8"):
        r = client.post("/api/explain", content=twice, headers={"content-type": kind})
        assert r.status_code == 422 and r.json()["errors"][0]["path"] == ["learning_rate"], kind
    deep = b'{"problem": {"d": ' + b"[" * 200 + b",".join([b"0"] * 50000) + b"]" * 200 + \
        b', "z": {"a": 1, "a": 2}}}'
    r = client.post("/api/validate", content=deep, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == ["z", "a"]
    # a long key: its field shortened as the command line writes it, its path the key whole
    long = "k" * 40
    r = client.post("/api/validate", content=('{"problem": {"%s": {"a": 1, "a": 2}}}' % long).encode(),
                    headers={"content-type": "application/json"})
    error = r.json()["errors"][0]
    assert r.status_code == 422 and error["path"] == [long, "a"]
    assert error["field"] == "k" * 24 + "….a"


def test_names_that_are_html_stay_text(client):
    evil = "<img src=x onerror=alert(1)>"
    data = notes_data()
    data["title"] = "<script>alert('t')</script>"
    data["layers"][1]["units"] = [evil, "Y2"]
    data["weights"] = {k: [evil if u == "Y1" else u for u in v[:2]] + v[2:] for k, v in data["weights"].items()}
    data["biases"]["b2"][0] = [evil, "Y2"]
    r = client.post("/api/explain", json={"problem": data})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["problem"]["layers"][1]["units"][0] == evil        # the name, as text
    page = client.post("/api/render?format=html", json={"problem": data})
    if page.status_code == 200:
        assert evil not in page.text and "<script>alert('t')" not in page.text
    assert "script-src" not in r.headers["content-security-policy"]     # nothing runs in an answer


def test_headers_on_every_kind_of_answer(client):
    answers = [client.get("/"), client.get("/api/examples"), client.get("/api/limits"),
               client.get("/openapi.json"), client.get("/docs"), client.get("/nowhere"),
               client.get("/api/explain"), client.post("/api/explain", json={"problem": {}}),
               client.post("/api/validate", json={"problem": notes_data()}),
               client.get("/static/../../server/app.py"), client.get("/static/player.js")]
    for r in answers:
        assert_secure(r)
    assert answers[5].status_code == 404 and answers[5].json()["errors"]
    assert answers[6].status_code == 405
    assert answers[9].status_code == 404
    assert answers[10].status_code == 200 and answers[10].headers["content-type"].startswith("text/javascript")


def test_no_cors(client):
    r = client.options("/api/explain", headers={"Origin": "https://elsewhere.example",
                                                "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/api/validate", json={"problem": notes_data()},
                    headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_the_pages_allow_only_their_own_scripts(client):
    for path in ("/", "/docs"):
        r = client.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        inline = re.findall(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", r.text, re.S | re.I)
        import base64
        import hashlib
        for code in inline:
            digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp
        assert "unsafe-inline" not in SCRIPT_SRC.search(csp)[1]


def test_the_index_is_the_editor_or_says_it_is_missing(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    if importlib.util.find_spec("handprop.render.page.editor") is None:
        assert "not installed in this build" in r.text and 'href="/docs"' in r.text
        assert "<script" not in r.text
    else:
        assert "not installed in this build" not in r.text


def test_the_openapi_document_publishes_every_endpoint(client):
    doc = client.get("/openapi.json").json()
    for path in ("/api/validate", "/api/explain", "/api/check", "/api/train", "/api/render",
                 "/api/examples", "/api/limits"):
        assert path in doc["paths"], path
    for path, methods in doc["paths"].items():
        for op in methods.values():
            assert "200" in op["responses"]
            if "requestBody" in op:
                assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Errors")


# ---------------------------------------------------------------- handprop serve

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_as_a_real_process():
    import httpx
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "handprop.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(url + "/api/limits", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert r.json()["units_per_layer"] == limits.MAX_UNITS
        r = httpx.post(url + "/api/explain", json={"problem": notes_data()}, timeout=30)
        assert r.status_code == 200
        from handprop.solve import explain
        assert r.json()["payload"]["trace"]["values"] == explain(load("notes")).values
        assert_secure(r)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    err = proc.stderr.read().decode()
    assert "warning" not in err and f"http://127.0.0.1:{port}/" in err


def test_serve_beyond_loopback_warns_in_one_line(monkeypatch, capsys):
    """(uvicorn.run replaced: nothing is bound)"""
    import uvicorn

    from handprop.cli.main import main
    from handprop.cli.serve import is_loopback
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr("handprop.cli.serve.check_listen", lambda host, port: None)   # nor here
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123", "--workers", "3"]) == 0
    err = capsys.readouterr().err
    warning = [line for line in err.splitlines() if "warning" in line]
    assert len(warning) == 1 and "0.0.0.0" in warning[0]
    assert calls == [(("handprop.server:app",), {"host": "0.0.0.0", "port": 8123, "workers": 3,
                                                  "log_level": "warning", "server_header": False})]
    assert main(["serve"]) == 0 and "warning" not in capsys.readouterr().err
    assert calls[-1][1]["host"] == "127.0.0.1" and calls[-1][1]["port"] == 8000
    assert main(["serve", "--host", "[::1]"]) == 0        # as a URL writes it: uvicorn takes ::1
    err = capsys.readouterr().err
    assert calls[-1][1]["host"] == "::1" and "warning" not in err and "http://[::1]:8000/" in err
    for host in ("127.0.0.1", "localhost", "::1", "127.1.2.3"):
        assert is_loopback(host)
    for host in ("0.0.0.0", "::", "192.168.1.4", "example.org"):
        assert not is_loopback(host)


def test_serve_on_a_port_in_use_or_an_address_not_ours_says_so_in_one_line():
    """Before uvicorn starts (which would print its own error and exit 3, the status of a
    missing dependency): one line naming the option, exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args, field, words in ((["--port", str(port)], "--port", f"port {port} is in use"),
                                   (["--host", "nosuch.invalid"], "--host", "not an address or name"),
                                   (["--host", "192.0.2.1"], "--host", "not an address of this machine")):
            r = run_cli("serve", *args, timeout=60)
            lines = r.stderr.decode().strip().splitlines()
            assert r.returncode == 2 and len(lines) == 1, (args, r.stderr)
            assert lines[0].startswith(f"handprop: {field}: cannot listen on") and words in lines[0]
            assert "Traceback" not in r.stderr.decode() and "serving" not in lines[0]


def test_an_explanation_leaves_no_cyclic_garbage():
    """Everything an answer allocates is freed by reference counting, so that the server's
    tuned garbage collector (runtime.serving_gc) has nothing to find: with the collector off,
    explaining distinct problems leaves no handprop object (a printer, its bound methods, a
    closure of ours) in a reference cycle."""
    import gc
    import types
    problems = [load(str(path)) for path in FILES] + [parse(matrix_222(scale)) for scale in (1.0, -2.5)]
    work.explain_answer(problems[0], 6)

    def ours(obj) -> bool:
        if isinstance(obj, types.MethodType):
            obj = obj.__func__
        if isinstance(obj, types.FunctionType):
            return (obj.__module__ or "").startswith("handprop")
        return type(obj).__module__.startswith("handprop")

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for problem in problems:
            for digits in (4, 6):
                work.explain_answer(problem, digits)
        gc.collect()
        found = [obj for obj in gc.garbage if ours(obj)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not found, sorted({type(o).__name__ for o in found})


def test_the_server_process_tunes_its_collector_and_puts_it_back():
    import gc
    before = gc.get_threshold()
    with TestClient(create_app()) as c:
        assert gc.get_threshold() == SERVING_THRESHOLD
        assert gc.get_freeze_count() > 0          # the modules and warm caches, out of the collector's way
        assert c.post("/api/explain", json={"problem": notes_data()}).status_code == 200
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_pauses_of_the_collector_in_many_threads_at_once_leave_it_on():
    """The server's worker threads build traces (runtime.paused_gc) at the same time: however
    their pauses interleave, the collector is on again once the last one ends."""
    import gc
    import threading

    from handprop import runtime

    def pause_often():
        for _ in range(5000):
            with runtime.paused_gc():
                pass

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)         # a thread switch between any two instructions
    try:
        threads = [threading.Thread(target=pause_often) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    state = (runtime._depth, gc.isenabled())
    gc.enable()                         # the tests after this one run as usual either way
    assert state == (0, True)


def test_serve_open_waits_until_the_server_listens(monkeypatch):
    """``handprop serve --open`` opens the browser once the port accepts connections (a worker
    warms itself before it listens), and not at all when it never does."""
    import webbrowser

    from handprop.cli.serve import open_when_listening
    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        assert not open_when_listening("http://x/", port, within=0.3) and not opened
        s.listen()
        assert open_when_listening("http://127.0.0.1/", port, within=5)
    assert opened == ["http://127.0.0.1/"]
