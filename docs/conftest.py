"""Guide pages that walk the shared CDNOW data run only when those data are present."""

from __future__ import annotations

from pathlib import Path

import pytest

NEEDS_SHARED_DATA = {"segment.md", "clv.md", "clv_models.md"}
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "transactions"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if SHARED_DATA.exists():
        return
    skip = pytest.mark.skip(reason=f"{SHARED_DATA} is absent")
    for item in items:
        if item.path.name in NEEDS_SHARED_DATA:
            item.add_marker(skip)
