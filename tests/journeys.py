"""The synthetic journey generator with planted gaps, shared by the journey tests (it ships in
``cxmetrics.datasets`` so the report's sample data and the tests use the same process)."""

from __future__ import annotations

from cxmetrics.datasets._synthetic import JOURNEY_STAGES as STAGES
from cxmetrics.datasets._synthetic import simulate_journeys

__all__ = ["STAGES", "simulate_journeys"]
