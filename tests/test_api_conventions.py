"""The API contract as tests: every public name, checked for the conventions in DESIGN.md §2 and §5.

- a function that takes a frame takes it first, positionally, as ``data``; every other
  argument is keyword-only;
- settled names: ``by`` for groups (never ``group``), ``top_box`` for a box of ratings, ``n``
  for a row count, ``points`` for the ×100 choice;
- the numpydoc ``Parameters`` section names every parameter, and there is a ``Returns``;
- every frame-taking function is called in the backend matrix (tests/test_backends.py).

Where a module outside the contract engineer's area still breaks a rule, it is listed in
:data:`KNOWN_EXCEPTIONS` with the reason, so the list can only shrink: an entry that no longer
fails is itself an error.
"""

from __future__ import annotations

import inspect
import pathlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import cxmetrics as cx

MODULES = {"cx": cx, "cx.text": cx.text, "cx.plot": cx.plot}

#: Functions whose first argument is not a data frame (so it need not be called ``data``).
NOT_FRAME_FUNCTIONS = {
    "cx.sample_size_nps",  # a planning calculation: margin in, a number out
    "cx.default_rules",  # returns the default rule table
    "cx.validate_rules",  # its first argument is the rule table
    "cx.text.normalize", "cx.text.tokenize", "cx.text.redact",  # texts: str, list or Series
    "cx.text.sentiment_batches",  # an iterator of frames (Dask / Spark batch path)
    "cx.plot.chart_context", "cx.plot.cjk_font_path",  # no data at all
    "cx.warm_up",  # loads the heavy pieces ahead of the first request
    "cx.text.user_dict_cache_size",  # a cache setting
    "cx.load_margins",  # reads a TOML file of population margins
    "cx.sample_size_compare", "cx.minimum_detectable_difference",  # planning: numbers in and out
    "cx.text.aspect_lexicon",  # returns a domain's aspect lexicon
    "cx.plot.cjk_font", "cx.plot.font_families", "cx.plot.system_cjk_font",  # font lookups
    "cx.plot.style_figure",  # styles a matplotlib Figure the caller drew
}

#: (rule, public name) -> why it is still broken. Owners apply ``cxmetrics._checks`` and the
#: settled names after the merge; remove the entry in the same change.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}

#: Parameter names the contract retired, and what replaced them.
RETIRED_NAMES = {"group": "by", "events": "data", "transactions": "data", "scored": "data",
                 "top": "n (a row count) or top_box (a box of ratings)",
                 "q_value": "p_adjusted", "std_error": "se"}


def public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    for prefix, module in MODULES.items():
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{prefix}.{name}", obj


FUNCTIONS = dict(public_functions())


def _sections(doc: str | None) -> dict[str, list[str]]:
    lines = inspect.cleandoc(doc or "").splitlines()
    found: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and line.strip() and re.fullmatch(r"-{3,}", lines[i + 1].strip()):
            current = line.strip()
            found[current] = []
        elif current and not re.fullmatch(r"-{3,}", line.strip()):
            found[current].append(line)
    return found


def documented_parameters(doc: str | None) -> set[str]:
    """Names in the numpydoc Parameters section (``a, b : str`` documents both)."""
    names = set()
    for line in _sections(doc).get("Parameters", []):
        if line and not line.startswith(" "):
            for name in line.split(" : ")[0].split(","):
                if name.strip():
                    names.add(name.strip().lstrip("*"))
    return names


def takes_frame(qualified: str) -> bool:
    return qualified not in NOT_FRAME_FUNCTIONS


def violations(rule: str, qualified: str, function: Callable[..., Any]) -> list[str]:
    parameters = list(inspect.signature(function).parameters.values())
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if rule == "data_first":
        if not takes_frame(qualified):
            return []
        return [] if positional and positional[0].name == "data" else [
            f"first argument is {positional[0].name if positional else None!r}, not 'data'"]
    if rule == "keyword_only":
        limit = 1 if takes_frame(qualified) or positional else 0
        return [f"{p.name!r} is not keyword-only" for p in positional[limit:]]
    if rule == "settled_names":
        return [f"{p.name!r} is retired: use {RETIRED_NAMES[p.name]}" for p in parameters
                if p.name in RETIRED_NAMES and p.name != (positional[0].name if positional else None)]
    if rule == "documented":
        documented = documented_parameters(function.__doc__)
        missing = [p.name for p in parameters if p.name not in documented]
        problems = [f"Parameters do not document {missing}"] if missing else []
        if "Returns" not in _sections(function.__doc__):
            problems.append("no Returns section")
        return problems
    if rule == "backend_matrix":
        if not takes_frame(qualified) or qualified.startswith("cx.plot."):
            return []  # charts draw small eager result frames; tests/test_plot.py covers them
        source = (pathlib.Path(__file__).parent / "test_backends.py").read_text()
        name = qualified.rsplit(".", 1)[1]
        return [] if re.search(rf"\.{name}\(", source) else ["not called in tests/test_backends.py"]
    raise ValueError(rule)


RULES = ["data_first", "keyword_only", "settled_names", "documented", "backend_matrix"]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("qualified", sorted(FUNCTIONS))
def test_public_function_follows_the_contract(rule: str, qualified: str) -> None:
    found = violations(rule, qualified, FUNCTIONS[qualified])
    if (rule, qualified) in KNOWN_EXCEPTIONS:
        assert found, f"{qualified} now follows {rule!r}: remove it from KNOWN_EXCEPTIONS"
        pytest.xfail(KNOWN_EXCEPTIONS[(rule, qualified)])
    assert not found, f"{qualified} breaks {rule!r}: {found}"


def test_known_exceptions_name_real_functions() -> None:
    for rule, qualified in KNOWN_EXCEPTIONS:
        assert rule in RULES and qualified in FUNCTIONS, (rule, qualified)


def test_every_public_name_is_exported_once() -> None:
    for module in MODULES.values():
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), name


def test_errors_module_lists_every_error() -> None:
    for name in cx.errors.__all__:
        obj = getattr(cx.errors, name)
        if inspect.isclass(obj) and issubclass(obj, Warning):
            assert issubclass(obj, cx.errors.CXMetricsWarning), name
        elif inspect.isclass(obj) and issubclass(obj, Exception):
            assert issubclass(obj, cx.errors.CXMetricsError), name
