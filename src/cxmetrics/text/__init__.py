"""Chinese feedback text: preparation, sentiment, and mining what the comments are about.

- :func:`normalize`: Traditional → Simplified, full-width → half-width, URLs, emoji, whitespace.
- :func:`tokenize`: jieba through a private tokenizer, bundled stop words, user dictionaries.
- :func:`sentiment`: calibrated P(positive) per text from the library's own model (or snownlp).
- :func:`sentiment_batches`: the same scoring over an iterator of frames (Spark ``mapInPandas``).
- :func:`sentiment_summary`: positive / neutral / negative shares per group with intervals.
- :class:`SentimentModel`: the model's weights; ``SentimentModel.fit`` fine-tunes it on your labels.
- :func:`keywords`, :func:`word_freq`, :func:`ngrams`: what each group's comments talk about
  (``method="log_odds"`` for contrastive keywords); :func:`default_stopwords`.
- :func:`aspect_sentiment`: sentiment per aspect (delivery, taste, service …) from clauses.
- :func:`topics`: topics discovered in the comments (NMF), editable; :func:`topic_impact`: each
  topic's effect on NPS or a score, with tests and a joint key-driver model.
- :func:`flag_negative`: the responses to follow up, with reasons and a severity ranking.
- :func:`user_dict_cache_size`: how many tenant user dictionaries stay loaded.
- :func:`redact`: mask phone, ID, e-mail and bank-card numbers before storing or showing text.
"""

from cxmetrics.text._alerts import flag_negative
from cxmetrics.text._aspects import (
    DEFAULT_ASPECTS,
    Aspect,
    AspectSentiment,
    aspect_lexicon,
    aspect_sentiment,
)
from cxmetrics.text._batches import sentiment_batches
from cxmetrics.text._keywords import default_stopwords, keywords, ngrams, word_freq
from cxmetrics.text._model import SentimentModel
from cxmetrics.text._pipeline import normalize, tokenize
from cxmetrics.text._redact import Redaction, redact
from cxmetrics.text._sentiment import REASONS, Sentiment, sentiment
from cxmetrics.text._summary import sentiment_summary
from cxmetrics.text._tokenize import user_dict_cache_size
from cxmetrics.text._topic_impact import topic_impact
from cxmetrics.text._topics import TopicModel, topics

__all__ = [
    "DEFAULT_ASPECTS",
    "REASONS",
    "Aspect",
    "AspectSentiment",
    "Redaction",
    "Sentiment",
    "SentimentModel",
    "TopicModel",
    "aspect_lexicon",
    "aspect_sentiment",
    "default_stopwords",
    "flag_negative",
    "keywords",
    "ngrams",
    "normalize",
    "redact",
    "sentiment",
    "sentiment_batches",
    "sentiment_summary",
    "tokenize",
    "topic_impact",
    "topics",
    "user_dict_cache_size",
    "word_freq",
]
