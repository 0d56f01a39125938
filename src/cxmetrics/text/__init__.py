"""Chinese feedback text: normalisation, tokenising and sentiment.

- :func:`normalize`: Traditional → Simplified, full-width → half-width, URLs, emoji, whitespace.
- :func:`tokenize`: jieba through a private tokenizer, bundled stop words, user dictionaries.
- :func:`sentiment`: calibrated P(positive) per text from the library's own model (or snownlp).
- :func:`sentiment_summary`: positive / neutral / negative shares per group with intervals.
"""

from cxmetrics.text._pipeline import normalize, tokenize
from cxmetrics.text._sentiment import REASONS, Sentiment, sentiment
from cxmetrics.text._summary import sentiment_summary

__all__ = ["REASONS", "Sentiment", "normalize", "sentiment", "sentiment_summary", "tokenize"]
