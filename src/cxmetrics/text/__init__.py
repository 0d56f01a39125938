"""Chinese feedback text: preparation, sentiment, and mining what the comments are about.

- :func:`normalize`: Traditional → Simplified, full-width → half-width, URLs, emoji, whitespace.
- :func:`tokenize`: jieba through a private tokenizer, bundled stop words, user dictionaries.
- :func:`sentiment`: calibrated P(positive) per text from the library's own model (or snownlp).
- :func:`sentiment_batches`: the same scoring over an iterator of frames (Spark ``mapInPandas``).
- :func:`sentiment_summary`: positive / neutral / negative shares per group with intervals.
- :func:`keywords`, :func:`word_freq`, :func:`ngrams`: what each group's comments talk about.
- :func:`aspect_sentiment`: sentiment per aspect (delivery, taste, service …) from clauses.
- :func:`flag_negative`: the responses to follow up, with reasons and a severity ranking.
- :func:`user_dict_cache_size`: how many tenant user dictionaries stay loaded.
- :func:`redact`: mask phone, ID, e-mail and bank-card numbers before storing or showing text.
"""

from cxmetrics.text._alerts import flag_negative
from cxmetrics.text._aspects import DEFAULT_ASPECTS, Aspect, AspectSentiment, aspect_sentiment
from cxmetrics.text._batches import sentiment_batches
from cxmetrics.text._keywords import keywords, ngrams, word_freq
from cxmetrics.text._pipeline import normalize, tokenize
from cxmetrics.text._redact import Redaction, redact
from cxmetrics.text._sentiment import REASONS, Sentiment, sentiment
from cxmetrics.text._summary import sentiment_summary
from cxmetrics.text._tokenize import user_dict_cache_size

__all__ = [
    "DEFAULT_ASPECTS",
    "REASONS",
    "Aspect",
    "AspectSentiment",
    "Redaction",
    "Sentiment",
    "aspect_sentiment",
    "flag_negative",
    "keywords",
    "ngrams",
    "normalize",
    "redact",
    "sentiment",
    "sentiment_batches",
    "sentiment_summary",
    "tokenize",
    "user_dict_cache_size",
    "word_freq",
]
