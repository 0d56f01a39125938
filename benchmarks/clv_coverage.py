"""Coverage of the CLV prediction intervals by simulation.

Panels of 2,000 BG/NBD customers (r = 0.5, alpha = 5, a = 0.8, b = 2.5; ages 20-52 weeks) are
drawn from known parameters; on each, ``BetaGeo`` is fitted and the nominal 95 % delta-method
interval of ``expected_purchases(26)`` is computed for every customer. It covers when it
contains the true conditional expectation (the same formula at the true parameters, for that
customer's history). Reported: the share covered over all customers of all panels, and the
share of panels whose interval covers for three fixed customer histories.

    python benchmarks/clv_coverage.py              # 200 panels
    python benchmarks/clv_coverage.py --smoke      # 3 panels (CI)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.clv_simulate

TRUTH = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
PROFILES = {"frequency": np.array([0.0, 2.0, 6.0]), "recency": np.array([0.0, 20.0, 45.0]),
            "T": np.array([52.0, 52.0, 52.0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--smoke", action="store_true", help="3 panels")
    args = parser.parse_args()
    if args.smoke:
        args.panels = 3

    from tests.clv_simulate import betageo

    import cxmetrics as cx

    truth = cx.BetaGeo.from_parameters(**TRUTH)
    true_profiles = truth.expected_purchases(t=26, **PROFILES)["expected_purchases"]
    all_covered, profile_covered = [], []
    begin = time.perf_counter()
    for panel in range(args.panels):
        x, t_x, big_t = betageo(args.customers, *TRUTH.values(), T_low=20.0, T_high=52.0, seed=10_000 + panel)
        fitted = cx.BetaGeo().fit(frequency=x, recency=t_x, T=big_t)
        out = fitted.expected_purchases(t=26, frequency=x, recency=t_x, T=big_t, confidence=0.95)
        target = truth.expected_purchases(t=26, frequency=x, recency=t_x, T=big_t)["expected_purchases"]
        all_covered.append(np.mean((out["expected_purchases_ci_low"] <= target)
                                   & (target <= out["expected_purchases_ci_high"])))
        fixed = fitted.expected_purchases(t=26, **PROFILES, confidence=0.95)
        profile_covered.append((fixed["expected_purchases_ci_low"] <= true_profiles)
                               & (true_profiles <= fixed["expected_purchases_ci_high"]))
    profiles = np.array(profile_covered, dtype=float)
    print(f"{args.panels} panels of {args.customers:,} customers in {time.perf_counter() - begin:.1f} s")
    print(f"nominal 95% delta-method interval of expected_purchases(26): covers the true conditional "
          f"expectation for {np.mean(all_covered):.1%} of customers (all panels)")
    for k, share in enumerate(profiles.mean(axis=0)):
        print(f"  fixed history x={PROFILES['frequency'][k]:.0f}, t_x={PROFILES['recency'][k]:.0f}, "
              f"T={PROFILES['T'][k]:.0f}: covered in {share:.1%} of panels")


if __name__ == "__main__":
    main()
