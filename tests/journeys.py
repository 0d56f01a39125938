"""A synthetic journey generator with planted gaps, shared by the journey tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

STAGES = ["home", "search", "product", "cart", "checkout", "purchase"]


def simulate_journeys(n: int, seed: int, extra_exit: float = 0.30, base_exit: float = 0.15,
                      device_switch: float = 0.2, channel_switch: float = 0.15) -> pd.DataFrame:
    """Customers walk the stages in order; after each event they leave with ``base_exit``.

    Device and channel switch at random between consecutive events. The planted gap: a
    customer whose checkout event is on the web right after a cart event in the app leaves
    with ``extra_exit`` more. Nothing else depends on a switch. Department is "sales" except
    a random tenth of events handled by "service", also without effect.
    """
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-06-01")
    for c in range(n):
        device = rng.choice(["app", "web"])
        channel = rng.choice(["organic", "ads", "email"])
        clock = start + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 20)))
        previous_device = device
        for stage in STAGES:
            department = "service" if rng.random() < 0.1 else "sales"
            rows.append((c, clock, stage, device, channel, department))
            leave = base_exit + (extra_exit if stage == "checkout" and previous_device == "app"
                                 and device == "web" else 0.0)
            if stage == "purchase" or rng.random() < leave:
                break
            previous_device = device
            if rng.random() < device_switch:
                device = "web" if device == "app" else "app"
            if rng.random() < channel_switch:
                channel = rng.choice([ch for ch in ["organic", "ads", "email"] if ch != channel])
            clock += pd.Timedelta(minutes=int(rng.integers(1, 90)))
    return pd.DataFrame(rows, columns=["customer", "time", "stage", "device", "channel", "department"])
