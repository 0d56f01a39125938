"""Synthetic journeys and transactions, generated from a seed (nothing to download).

The journey log has a planted gap: customers who move from the app to the web at checkout
leave more often; the transactions follow a BG/NBD purchase process with gamma-distributed
spend (Fader, Hardie & Lee 2005), so the CLV models have the structure they assume.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["JOURNEY_STAGES", "simulate_journeys", "simulate_transactions"]

JOURNEY_STAGES = ["home", "search", "product", "cart", "checkout", "purchase"]


def simulate_journeys(
    n: int,
    seed: int,
    extra_exit: float = 0.30,
    base_exit: float = 0.15,
    device_switch: float = 0.2,
    channel_switch: float = 0.15,
) -> Any:
    """Customers walk the stages in order; after each event they leave with ``base_exit``.

    Device and channel switch at random between consecutive events. The planted gap: a customer
    whose checkout event is on the web right after a cart event in the app leaves with
    ``extra_exit`` more. Nothing else depends on a switch. Department is "sales" except a random
    tenth of events handled by "service", also without effect. Columns: ``customer``, ``time``,
    ``stage``, ``device``, ``channel``, ``department`` (pandas).
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-06-01")
    for c in range(n):
        device = rng.choice(["app", "web"])
        channel = rng.choice(["organic", "ads", "email"])
        clock = start + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 20)))
        previous_device = device
        for stage in JOURNEY_STAGES:
            department = "service" if rng.random() < 0.1 else "sales"
            rows.append((c, clock, stage, device, channel, department))
            switched_at_checkout = stage == "checkout" and previous_device == "app" and device == "web"
            leave = base_exit + (extra_exit if switched_at_checkout else 0.0)
            if stage == "purchase" or rng.random() < leave:
                break
            previous_device = device
            if rng.random() < device_switch:
                device = "web" if device == "app" else "app"
            if rng.random() < channel_switch:
                channel = rng.choice([ch for ch in ["organic", "ads", "email"] if ch != channel])
            clock += pd.Timedelta(minutes=int(rng.integers(1, 90)))
    return pd.DataFrame(rows, columns=["customer", "time", "stage", "device", "channel", "department"])


def simulate_transactions(customers: int, seed: int, weeks: int = 78) -> Any:
    """Repeat purchases of a cohort acquired over the first 12 weeks.

    Each customer buys at a Poisson rate λ ~ Gamma(0.8, 1/5) per week while alive and drops out
    after each purchase with probability p ~ Beta(0.9, 3.0) (BG/NBD); each order's amount is
    gamma with a customer-level mean (Gamma-Gamma). Columns: ``customer``, ``date``,
    ``amount`` (pandas).
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.8, 1 / 5, customers)
    drop = rng.beta(0.9, 3.0, customers)
    mean_spend = 1 / rng.gamma(6.0, 1 / 400.0, customers)
    start = pd.Timestamp("2024-01-01")
    rows = []
    for c in range(customers):
        t = rng.uniform(0, 12)
        while t < weeks:
            rows.append(
                (
                    f"C{c:05d}",
                    start + pd.Timedelta(days=float(t * 7)),
                    round(rng.gamma(4.0, mean_spend[c] / 4), 2),
                )
            )
            if rng.random() < drop[c]:
                break
            t += rng.exponential(1 / rate[c]) if rate[c] > 0 else weeks
    frame = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    frame["date"] = frame["date"].dt.floor("D")
    return frame
