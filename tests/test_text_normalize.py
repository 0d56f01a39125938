"""normalize: script conversion, width, URLs, emoji, whitespace; shapes in = shapes out."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.errors import CXMetricsError
from cxmetrics.text import normalize
from cxmetrics.text._normalize import script_converter


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("客服態度很好，解決問題迅速", "客服态度很好,解决问题迅速"),
        ("這個東西質量還不錯，物流也很快", "这个东西质量还不错,物流也很快"),
        ("飛機飛向藍天", "飞机飞向蓝天"),
        ("畫上一幅畫", "画上一幅画"),  # a phrase that converts differently from its characters
        ("沒有想像中好吃", "没有想像中好吃"),
        ("給個讚，閒置的僱員嚐了一口", "给个赞,闲置的雇员尝了一口"),  # not in snownlp's table
    ],
)
def test_traditional_to_simplified(traditional, simplified):
    assert normalize(traditional) == simplified


@pytest.mark.parametrize(
    "text", ["著作很多", "多余的包装", "覆盖面广", "这本书的著者", "后面的人", "试卷", "食欲", "雇主"]
)
def test_simplified_text_comes_back_unchanged(text):
    assert normalize(text, width=False) == text


def test_width_urls_invisible_and_whitespace():
    raw = "\ufeffＡＰＰ很卡！！　看 https://t.cn/AbC12 和www.example.com/x?y=1 \u200b吧  "
    assert normalize(raw) == "APP很卡!! 看 和 吧"
    assert normalize(raw, lower=True, strip_urls=False).startswith("app很卡!! 看 https://t.cn/abc12")
    assert normalize("ＡＢＣ", width=False) == "ＡＢＣ"


def test_emoji_options():
    text = "好吃😋👍👍下次还来❤️"
    assert normalize(text) == text
    assert normalize(text, emoji="token") == "好吃 <emoji> 下次还来 <emoji>"
    assert normalize(text, emoji="remove") == "好吃 下次还来"


def test_script_none_keeps_traditional():
    assert normalize("這個很好", to=None) == "這個很好"


def test_reverse_then_forward_is_identity_on_simplified_text():
    text = "客服态度很好，解决问题迅速；头发干净，后面还有很多东西，这里买的书质量不错"
    traditional = normalize(text, to="traditional", width=False)
    assert traditional != text
    assert normalize(traditional, width=False) == text


_CONVERTIBLE = sorted(set(script_converter("simplified").chars.values()) - {"面"})  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(_CONVERTIBLE + list("的了是在我有和人这中大为上个国很好不")), max_size=40
    )
)
def test_round_trip_property(text):
    assert normalize(normalize(text, to="traditional", width=False), width=False) == text


def test_shapes_and_missing_values():
    assert normalize(["這個", None, float("nan"), 5]) == ["这个", None, None, None]
    series = pd.Series(["這個", None], index=[10, 20], name="comment")
    before = series.copy()
    out = normalize(series)
    assert list(out.index) == [10, 20] and out.name == "comment"
    assert out.iloc[0] == "这个" and pd.isna(out.iloc[1])
    pd.testing.assert_series_equal(series, before)  # the caller's data is untouched
    pl_out = normalize(pl.Series("comment", ["這個", None]))
    assert isinstance(pl_out, pl.Series) and pl_out.to_list() == ["这个", None]


def test_bad_options():
    with pytest.raises(CXMetricsError, match="to"):
        normalize("x", to="cantonese")
    with pytest.raises(CXMetricsError, match="emoji"):
        normalize("x", emoji="drop")
    with pytest.raises(CXMetricsError, match="normalize takes texts"):
        normalize(3.5)
