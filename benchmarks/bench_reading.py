"""Reading a problem document: the check every problem passes before its fields are read.

    python benchmarks/bench_reading.py

``problem.reading.check_document`` (keys given twice, values a problem cannot hold) runs for
every problem any command or server request reads; ``server.security.repeated_key`` runs it on a
JSON body with a key given twice.  Printed: the median of 5 runs on documents made to be hard for
a walk (100,000 numbers nested 900 deep, a mapping 900 deep; a 200 KB body of that shape with
its repeated key at the bottom).  Target: linear in the size of the document, whatever its
depth: under 50 ms each on this machine (a walk that wrote a path for every value took 1.6 s).
"""
from __future__ import annotations

import statistics
import time


def median_ms(run, times: int = 5) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def main() -> None:
    from handprop.problem.reading import check_document, json_document
    from handprop.server.security import repeated_key
    numbers = ",".join(["1"] * 100_000)
    cases = {
        "100,000 numbers in lists 900 deep": json_document("[" * 900 + numbers + "]" * 900),
        "100,000 numbers under mappings 900 deep": json_document('{"a":' * 900 + "[" + numbers + "]" + "}" * 900),
    }
    worst = 0.0
    for label, doc in cases.items():
        ms = median_ms(lambda: check_document(doc))
        worst = max(worst, ms)
        print(f"check_document, {label}: {ms:.1f} ms")
    body = (b'{"problem": {"d": ' + b"[" * 900 + numbers.encode() + b', {"a": 1, "a": 2}' + b"]" * 900 + b"}}")
    found = repeated_key(body)
    assert found is not None and found.path[-1] == "a"
    ms = median_ms(lambda: repeated_key(body))
    worst = max(worst, ms)
    print(f"repeated_key, a {len(body):,}-byte body, the key twice at the bottom: {ms:.1f} ms (parsing included)")
    print(f"target: each under 50 ms: {'met' if worst < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
