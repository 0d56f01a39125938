"""Time cxmetrics against its named baselines in one run and print a table.

Each (implementation, size) runs in a fresh process: data are built first, then the call is
timed ``--repeat`` times; the median is reported with the peak memory the call added above the
data (the kernel's high-water mark of resident memory, reset before the calls, minus the
resident memory before them; sampled every millisecond where the mark cannot be reset). Ratios are cxmetrics
time / baseline time from the same run, so they are comparable on a noisy shared machine.

    python benchmarks/run.py                     # sizes 1e6 and 1e7, 5 repeats
    python benchmarks/run.py --sizes 100000 --repeat 3
    python benchmarks/run.py --only rfm          # the comparisons whose label contains "rfm"
    python benchmarks/run.py --smoke             # every case once at its smallest size (CI)

``--smoke`` runs each implementation once, in this process, at ``SMOKE_SIZE``, and times
nothing that is asserted; an implementation whose optional baseline package is not installed
is reported as skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cases import CASE_SIZES, COMPARISONS, DATA, IMPLEMENTATIONS, MAX_REPEAT, PRELOAD, SMOKE_SIZE

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_MB


class _PeakSampler(threading.Thread):
    """Samples resident memory every millisecond while a call runs (Linux /proc)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_mb()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.001):
            self.peak = max(self.peak, _rss_mb())

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return max(self.peak, _rss_mb())


def _reset_peak() -> bool:
    """Reset the kernel's high-water mark of resident memory (Linux ``clear_refs``); False where
    that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return _rss_mb()


def worker(name: str, size: int, repeat: int) -> dict[str, float]:
    dataset, backend, function = IMPLEMENTATIONS[name]
    data = DATA[dataset](size, backend)
    repeat = min(repeat, MAX_REPEAT.get(name, repeat))
    if name not in MAX_REPEAT:
        function(data)  # warm-up: lazy imports and caches are not what we measure
    for module in PRELOAD.get(name, ()):
        importlib.import_module(module)
    gc.collect()
    base = _rss_mb()
    # The kernel's own peak, reset here, where it can be: a sampling thread wakes every
    # millisecond and contends for the GIL, which slowed a 0.06 s numpy-heavy fit to 0.14 s on
    # a busy machine.
    sampler = None if _reset_peak() else _PeakSampler()
    if sampler is not None:
        sampler.start()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = function(data)
        times.append(time.perf_counter() - start)
    peak = sampler.stop() if sampler is not None else _peak_mb()
    result = {"median": statistics.median(times), "peak_mb": max(peak - base, 0.0)}
    if isinstance(outcome, float):  # model fits report their log-likelihood
        result["loglik"] = outcome
    return result


def measure(name: str, size: int, repeat: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", name, "--size", str(size), "--repeat", str(repeat)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def smoke(only: str) -> None:
    """Every chosen implementation once at the smallest size, in this process."""
    chosen = [c for c in COMPARISONS if only in c[0]]
    names = list(dict.fromkeys(name for _, mine, base, _ in chosen for name in (mine, base)))
    for name in names:
        dataset, backend, function = IMPLEMENTATIONS[name]
        begin = time.perf_counter()
        try:
            function(DATA[dataset](SMOKE_SIZE, backend))
        except ModuleNotFoundError as missing:
            if missing.name and missing.name.split(".")[0] == "cxmetrics":
                raise
            print(f"{name:<40} skipped: {missing.name} is not installed")
            continue
        print(f"{name:<40} ran at {SMOKE_SIZE:,} ({time.perf_counter() - begin:.2f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="run comparisons whose label contains this")
    parser.add_argument("--worker")
    parser.add_argument("--size", type=int)
    parser.add_argument("--smoke", action="store_true", help="every case once at its smallest size")
    args = parser.parse_args()
    if args.worker:
        # a baseline that prints (lifetimes reports a failed optimisation on stdout) must not
        # garble the one line of results
        with contextlib.redirect_stdout(sys.stderr):
            result = worker(args.worker, args.size, args.repeat)
        print(json.dumps(result))
        return
    if args.smoke:
        smoke(args.only)
        return
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    header = (f"{'case':<30} {'size':>10} {'baseline':<16} {'cxmetrics s':>11} {'baseline s':>10} "
              f"{'ratio':>6} {'goal':>6} {'cx peak MB':>10} {'base peak MB':>12}")
    print(header)
    print("-" * len(header))
    chosen = [c for c in COMPARISONS if args.only in c[0]]
    results: dict[tuple[str, int], dict[str, float]] = {}
    for label, mine, baseline, goal in chosen:
        for size in CASE_SIZES.get(label, sizes):
            for name in (mine, baseline):
                if (name, size) not in results:
                    results[name, size] = measure(name, size, args.repeat)
            a, b = results[mine, size], results[baseline, size]
            print(f"{label:<30} {size:>10,} {baseline:<16} {a['median']:>11.3f} {b['median']:>10.3f} "
                  f"{a['median'] / b['median']:>6.2f} {goal:>6.3g} {a['peak_mb']:>10.0f} "
                  f"{b['peak_mb']:>12.0f}", flush=True)
            if "loglik" in a:
                gap = (a["loglik"] - b["loglik"]) / abs(b["loglik"])
                print(f"{'':<30} log-likelihood cxmetrics {a['loglik']:.6f}, baseline {b['loglik']:.6f}, "
                      f"relative difference (cx - baseline) {gap:.1e}", flush=True)

if __name__ == "__main__":
    main()
