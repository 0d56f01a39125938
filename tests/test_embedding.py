"""Embedding in a service: containers without a home, read-only caches, forks, threads, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cxmetrics as cx

SCORE = "import json, cxmetrics.text as t; print(json.dumps(t.sentiment('送餐很快，味道不错').score))"


def _run(code: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout
    )


def _clean_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG"}}
    return {**keep, **extra}


NO_HOME = (
    "import pathlib\n"
    "def _no_home(cls):\n"
    "    raise RuntimeError('Could not determine home directory')\n"
    "pathlib.Path.home = classmethod(_no_home)\n"
)


def test_no_home_directory_falls_back_to_a_temp_cache(tmp_path: Path):
    # an arbitrary container UID has no passwd entry: Path.home() raises, as it does there
    env = _clean_env(TMPDIR=str(tmp_path))
    out = _run(NO_HOME + SCORE, env)
    assert out.returncode == 0, out.stderr
    assert 0 < json.loads(out.stdout) < 1
    assert "Traceback" not in out.stderr and "home directory" not in out.stderr
    assert any(p.name.startswith("cxmetrics-") for p in tmp_path.iterdir())


def _unwritable(tmp_path: Path, name: str) -> Path:
    """A folder nobody can create, root included: its parent is a regular file."""
    blocker = tmp_path / f"{name}-is-a-file"
    blocker.write_text("")
    return blocker / name


def test_read_only_home_is_quiet_and_uses_the_next_folder(tmp_path: Path):
    home, temp = _unwritable(tmp_path, "home"), tmp_path / "tmp"
    temp.mkdir()
    env = _clean_env(HOME=str(home), TMPDIR=str(temp))
    first, second = _run(SCORE, env), _run(SCORE, env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stderr == "" and second.stderr == ""  # no jieba traceback, no warning
    cached = list((temp / f"cxmetrics-{os.getuid()}").glob("jieba-*.dict"))
    assert len(cached) == 1


def test_no_writable_folder_at_all_warns_once_and_still_works(tmp_path: Path):
    locked = _unwritable(tmp_path, "locked")
    code = textwrap.dedent(
        """
        import warnings, json, tempfile
        tempfile.tempdir = %r  # gettempdir() would fall back to /tmp, which is writable here
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            import cxmetrics.text as t
            a = t.tokenize("客服很好"); b = t.tokenize("物流很慢")
        from cxmetrics.errors import CXMetricsWarning
        print(json.dumps([a, b, [issubclass(w.category, CXMetricsWarning) for w in seen]]))
        """
    )
    env = _clean_env(HOME=str(locked), CXMETRICS_CACHE_DIR=str(locked / "x"))
    out = _run(code % str(locked / "tmp"), env)
    assert out.returncode == 0, out.stderr
    a, b, categories = json.loads(out.stdout)
    assert a == ["客服", "很", "好"] and b == ["物流", "很", "慢"]
    assert categories == [True]


def test_an_edited_cache_is_rebuilt_not_trusted(tmp_path: Path):
    env = _clean_env(HOME=str(tmp_path), CXMETRICS_CACHE_DIR=str(tmp_path / "cache"))
    reference = _run(SCORE, env)
    assert reference.returncode == 0, reference.stderr
    (cache_file,) = (tmp_path / "cache").glob("jieba-*.dict")
    content = bytearray(cache_file.read_bytes())
    content[len(content) // 2] ^= 0x55  # corrupt one byte of the payload
    cache_file.write_bytes(bytes(content))
    again = _run(SCORE, env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == reference.stdout
    digest, _, payload = cache_file.read_bytes().partition(b"\n")
    import hashlib

    assert hashlib.sha256(payload).hexdigest().encode() == digest  # rewritten intact


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_child_forked_during_a_first_load_finishes(tmp_path: Path):
    code = textwrap.dedent(
        """
        import os, sys, threading, time
        import cxmetrics.text as t
        from cxmetrics.text import _tokenize
        original = _tokenize._base
        started = threading.Event()
        def slow_base():
            started.set()
            time.sleep(1.0)           # the parent's warm-up thread is mid-load at fork time
            return original()
        _tokenize._base = slow_base
        warm = threading.Thread(target=lambda: t.sentiment("你好"))
        warm.start()
        started.wait()
        pid = os.fork()
        if pid == 0:
            _tokenize._base = original
            score = t.sentiment("送餐很快，味道不错").score
            os._exit(0 if 0 < score < 1 else 3)
        _, status = os.waitpid(pid, 0)
        warm.join()
        print(os.waitstatus_to_exitcode(status))
        """
    )
    out = _run(code, _clean_env(HOME=str(tmp_path), CXMETRICS_CACHE_DIR=str(tmp_path / "c")), timeout=90)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"


def test_user_dictionary_cache_size_is_configurable():
    previous = cx.text.user_dict_cache_size(2)
    try:
        words = [["生椰拿铁"], ["燕麦拿铁"], ["桂花拿铁"]]
        for w in words:
            cx.text.tokenize(f"这杯{w[0]}不错", user_dict=w)
        from cxmetrics.text import _tokenize

        assert len(_tokenize._user_tokenizers) == 2
        assert list(_tokenize._user_tokenizers) == [("燕麦拿铁",), ("桂花拿铁",)]  # least recent evicted
        assert cx.text.tokenize("这杯生椰拿铁不错", user_dict=["生椰拿铁"]) == ["这杯", "生椰拿铁", "不错"]
        with pytest.raises(cx.errors.ValueRangeError, match="size"):
            cx.text.user_dict_cache_size(0)
    finally:
        cx.text.user_dict_cache_size(previous)


def _service_calls() -> dict[str, object]:
    """One call per module, as a multi-tenant service would make them."""
    import numpy as np
    import pandas as pd

    from cxmetrics.datasets import load_journeys, load_survey

    survey = load_survey()
    events = load_journeys()
    rng = np.random.default_rng(7)
    ratings = pd.DataFrame(rng.integers(1, 6, size=(300, 3)), columns=["speed", "price", "staff"])
    ratings["overall"] = ratings["speed"] + 2 * ratings["staff"] + rng.integers(0, 3, size=300)
    return {
        "nps": cx.nps(survey, score="ltr", by="channel"),
        "compare_csat": cx.compare_csat(survey, score="csat", group="channel"),
        "key_drivers": cx.key_drivers(ratings, outcome="overall", drivers=["speed", "price", "staff"]),
        "gaps": cx.gaps(events, customer="customer", time="time", stage="stage", switch="device"),
        "sentiment": cx.text.sentiment(["送餐很快", "太慢了", "客服态度差"]),
        "tokens": cx.text.tokenize("这杯生椰拿铁不错", user_dict=["生椰拿铁"]),
        "records": cx.to_records(pd.DataFrame({"x": [1.0, float("nan")]})),
        "events": len(events),
    }


def _frozen(value: object) -> object:
    return json.dumps(cx.to_records(value) if not isinstance(value, (int, type(None))) else value)


def test_threads_leave_process_state_as_it_was_and_agree_with_sequential_calls():
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    sequential = {k: _frozen(v) for k, v in _service_calls().items()}
    filters = list(warnings.filters)
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: _service_calls(), range(16)))
        for result in results:
            assert {k: _frozen(v) for k, v in result.items()} == sequential
        assert warnings.filters == filters


def test_to_records_round_trips_through_json():
    import numpy as np
    import pandas as pd
    import polars as pl

    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2025-01-01 08:30", None]).tz_localize("Asia/Shanghai"),
            "value": [np.inf, 2.5],
            "count": pd.array([1, None], dtype="Int64"),
            "label": pd.Categorical(["华东", None]),
            "flag": [True, False],
        }
    )
    rows = cx.to_records(frame)
    assert json.loads(json.dumps(rows, allow_nan=False)) == [
        {"when": "2025-01-01T08:30:00+08:00", "value": None, "count": 1, "label": "华东", "flag": True},
        {"when": None, "value": 2.5, "count": None, "label": None, "flag": False},
    ]
    assert cx.to_records(pl.from_pandas(frame.drop(columns="label"))) == [
        {k: v for k, v in row.items() if k != "label"} for row in rows
    ]
    assert cx.to_records(cx.text.sentiment("送餐很快"))["label"] in {"positive", "neutral", "negative"}
    with pytest.raises(cx.errors.ColumnTypeError, match="to_records"):
        cx.to_records(3.5)


def test_warm_up_loads_once_and_rejects_unknown_parts():
    first = cx.warm_up("tokenizer", user_dicts=[["生椰拿铁"]])
    again = cx.warm_up("tokenizer", user_dicts=[["生椰拿铁"]])
    assert set(first) == {"tokenizer", "user_dicts"}
    assert again["tokenizer"] < 0.05 and again["user_dicts"] < 0.05
    with pytest.raises(cx.errors.CXMetricsError, match="part='model'"):
        cx.warm_up("model")
    with pytest.raises(cx.errors.ColumnTypeError):
        cx.warm_up(3)  # type: ignore[arg-type]


def test_the_survey_package_is_importable_by_name():
    import importlib

    module = importlib.import_module("cxmetrics.survey")
    assert module.nps is cx.nps and callable(cx.nps)
    assert cx.__version__ == importlib.metadata.version("cxmetrics")


def test_every_library_warning_shares_one_base():
    import inspect

    from cxmetrics import errors

    warning_classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Warning)]
    assert warning_classes and all(issubclass(c, errors.CXMetricsWarning) for c in warning_classes)
    assert cx.plot.FontWarning is errors.FontWarning
