"""What a service worker pays on its first calls, with and without ``cx.warm_up``, and its memory.

    python benchmarks/warmup.py               # 5 fresh processes per case
    python benchmarks/warmup.py --repeat 9
    python benchmarks/warmup.py --smoke       # one process per case (CI's check that it runs)

Each case runs in a fresh interpreter. "first call" is the wall time of the first call of each
kind in a cold process; "after warm_up" is the same call in a process that ran
``cx.warm_up()`` first (the baseline is the second call in a cold process: the cost once loaded).
Memory is the resident set (``ru_maxrss``) of the worker after the calls, and the growth per
tenant user dictionary. Medians over ``--repeat`` processes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap

CALLS = {
    "nps by channel": "cx.nps(survey, score='ltr', by='channel')",
    "tokenize": "cx.text.tokenize('送餐很快，味道不错')",
    "sentiment": "cx.text.sentiment('送餐很快，味道不错')",
    "normalize (Traditional)": "cx.text.normalize('服務態度很好')",
}

WORKER = textwrap.dedent(
    """
    import json, resource, sys, time
    t0 = time.perf_counter()
    import cxmetrics as cx
    from cxmetrics.datasets import load_survey
    survey = load_survey()
    imported = time.perf_counter() - t0
    warm = {warm}
    if warm:
        cx.warm_up()
    t = time.perf_counter(); {call}; first = time.perf_counter() - t
    t = time.perf_counter(); {call}; second = time.perf_counter() - t
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for i in range({tenants}):
        cx.text.tokenize('这杯拿铁不错', user_dict=[f'拿铁{{i}}'])
    tenants_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    print(json.dumps([imported, first, second, base, tenants_mb]))
    """
)


def _measure(call: str, warm: bool, tenants: int) -> list[float]:
    code = WORKER.format(call=call, warm=warm, tenants=tenants)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [float(v) for v in json.loads(out.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--smoke", action="store_true", help="one process per case, no tenants")
    args = parser.parse_args()
    repeat, tenants = (1, 1) if args.smoke else (args.repeat, args.tenants)

    print(f"{'call':<26} {'first call s':>12} {'loaded s':>10} {'after warm_up s':>16} {'RSS MB':>8}")
    for name, call in CALLS.items():
        cold = [_measure(call, False, 0) for _ in range(repeat)]
        warm = [_measure(call, True, 0) for _ in range(repeat)]
        first = statistics.median(c[1] for c in cold)
        loaded = statistics.median(c[2] for c in cold)
        warmed = statistics.median(w[1] for w in warm)
        rss = statistics.median(w[3] for w in warm)
        print(f"{name:<26} {first:>12.4f} {loaded:>10.4f} {warmed:>16.4f} {rss:>8.0f}")
    grow = [_measure("pass", True, tenants)[4] for _ in range(repeat)]
    per_tenant = statistics.median(grow) / tenants
    print(f"memory per tenant user dictionary: {per_tenant:.1f} MB ({tenants} tenants)")


if __name__ == "__main__":
    main()
