from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd
import polars as pl
import pytest

BACKENDS = ["pandas", "polars"]


def make_frame(data: dict[str, Any], backend: str) -> Any:
    """Build a frame of the given library from column lists."""
    if backend == "pandas":
        return pd.DataFrame(data)
    if backend == "polars":
        return pl.DataFrame(data, strict=False)
    raise ValueError(backend)


def to_pandas(result: Any) -> pd.DataFrame:
    """Any result frame as pandas, for comparing numbers across libraries."""
    return nw.from_native(result).to_pandas()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


# The shared data sit beside the repository (../shared/data); CXMETRICS_DATA points elsewhere.
SHARED_DATA = Path(
    os.environ.get("CXMETRICS_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
) / "transactions"


def _read_cdnow(name: str, columns: list[str], header: int | None) -> pd.DataFrame:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared CDNOW data live beside the repository)")
    log = pd.read_csv(path, sep=r"\s+", header=header, names=columns, dtype={"date": str})
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


@pytest.fixture(scope="session")
def cdnow_master() -> pd.DataFrame:
    """All 23,570 customers of CDNOW's 1997 Q1 cohort: customer, date, cds, amount."""
    return _read_cdnow("CDNOW_master.txt", ["customer", "date", "cds", "amount"], header=0)


@pytest.fixture(scope="session")
def cdnow_sample() -> pd.DataFrame:
    """The 2,357-customer sample of Fader, Hardie & Lee (2005): customer is the sample id."""
    log = _read_cdnow("CDNOW_sample.txt", ["master_id", "customer", "date", "cds", "amount"], header=None)
    return log.drop(columns="master_id")


SENTIMENT_DATA = SHARED_DATA.parent / "sentiment"


@pytest.fixture(scope="session")
def sentiment_script() -> Any:
    """``scripts/sentiment_model.py`` as a module (its split, clauses and fragments), when the
    shared review corpora it reads are present."""
    import importlib.util

    if not SENTIMENT_DATA.is_dir():
        pytest.skip(f"{SENTIMENT_DATA} is absent (the shared review corpora live beside the repository)")
    path = Path(__file__).resolve().parents[1] / "scripts" / "sentiment_model.py"
    spec = importlib.util.spec_from_file_location("sentiment_model", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


@pytest.fixture(scope="session")
def sentiment_reviews(sentiment_script: Any) -> pd.DataFrame:
    """The development corpora, ``part`` by the training script's fixed hash split (train,
    test, calibration)."""
    return sentiment_script.load(SENTIMENT_DATA)


@pytest.fixture(scope="session")
def sentiment_held_out_part(sentiment_reviews: pd.DataFrame) -> pd.DataFrame:
    """The 8 % of the development corpora the shipped scorers never trained on (the training
    script's calibration part, by its fixed hash split; the 20 % test part was trained on for
    the shipped weights after the model card's held-out figures were measured)."""
    reviews = sentiment_reviews
    return reviews[reviews["part"] == "calibration"].reset_index(drop=True)
