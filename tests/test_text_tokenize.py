"""tokenize: a private jieba instance, stop words, user dictionaries, threads, cache location."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jieba
import pandas as pd
import polars as pl
import pytest

import cxmetrics as cx
from cxmetrics.errors import CXMetricsError
from cxmetrics.text import tokenize


def test_default_stopwords_drop_function_words_and_punctuation_but_keep_negators():
    words = tokenize("我觉得这个东西不太好，而且物流很慢！")
    assert "的" not in words and "，" not in words and "！" not in words and "我" not in words
    assert words == ["不太好", "物流", "很", "慢"]


def test_stopword_options():
    text = "这个东西很好"
    assert tokenize(text, stopwords=None) == ["这个", "东西", "很", "好"]
    assert tokenize(text, stopwords=["东西"]) == ["这个", "很", "好"]
    assert "这个" not in tokenize(text)


def test_stopwords_from_file(tmp_path: Path):
    path = tmp_path / "stop.txt"
    path.write_text("东西\n很\n", encoding="utf-8")
    assert tokenize("这个东西很好", stopwords=path) == ["这个", "好"]
    with pytest.raises(CXMetricsError, match="stopwords"):
        tokenize("x", stopwords=tmp_path / "absent.txt")


def test_user_words_from_list_and_file_without_touching_jieba_global(tmp_path: Path):
    word = "生椰拿铁"
    assert word not in tokenize("这杯生椰拿铁不错", stopwords=None)
    assert word in tokenize("这杯生椰拿铁不错", user_dict=[word], stopwords=None)
    path = tmp_path / "user.txt"
    path.write_text(f"{word} 10 n\n", encoding="utf-8")
    assert word in tokenize("这杯生椰拿铁不错", user_dict=path, stopwords=None)
    # the global tokenizer, which other code shares, never learns the word
    assert word not in jieba.dt.FREQ
    assert word not in tokenize("这杯生椰拿铁不错", stopwords=None)
    with pytest.raises(CXMetricsError, match="user_dict"):
        tokenize("x", user_dict=tmp_path / "absent.txt")


def test_hmm_switch():
    with_hmm = tokenize("他来到了网易杭研大厦", stopwords=None)
    without = tokenize("他来到了网易杭研大厦", stopwords=None, hmm=False)
    assert "杭研" in with_hmm and "杭研" not in without


def test_shapes():
    assert tokenize(["好吃", None, 3]) == [["好吃"], None, None]
    out = tokenize(pd.Series(["好吃", "难吃"], index=[5, 6]))
    assert list(out.index) == [5, 6] and out.tolist() == [["好吃"], ["难吃"]]
    pl_out = tokenize(pl.Series("c", ["好吃"]))
    assert isinstance(pl_out, pl.Series) and pl_out.to_list() == [["好吃"]]


def test_threads_give_the_sequential_answer():
    texts = ["客服态度很好，解决问题迅速", "送餐太慢了", "这杯生椰拿铁不错"] * 50
    expected = [tokenize(t, user_dict=["生椰拿铁"]) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: tokenize(t, user_dict=["生椰拿铁"]), texts))
    assert got == expected


def test_cache_file_goes_to_the_cxmetrics_cache_directory(tmp_path: Path):
    cache, temp = tmp_path / "cache", tmp_path / "tmp"
    temp.mkdir()
    code = "import json, cxmetrics.text as t; print(json.dumps(t.tokenize('客服很好')))"
    env = {**os.environ, "CXMETRICS_CACHE_DIR": str(cache), "TMPDIR": str(temp)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout) == ["客服", "很", "好"]
    assert [p.name for p in cache.iterdir()] == [f"jieba-{jieba.__version__}-cxmetrics-{cx.__version__}.dict"]
    assert not list(temp.iterdir())
    assert "Building prefix dict" not in out.stderr  # jieba's load messages are kept quiet
