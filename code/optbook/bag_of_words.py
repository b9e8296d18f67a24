r"""A seeded synthetic bag-of-words classification problem with Zipf-distributed words.

Kingma & Ba (2015, §6.1) trained logistic regression on IMDB reviews as
bag-of-words vectors of the 10,000 most frequent words: very sparse features
whose frequencies follow Zipf's law. Nothing may be downloaded here, so
:func:`zipf_bag_of_words` draws documents of the same kind:

- word :math:`k = 1, \dots, V` has probability :math:`p_k = k^{-s}/\sum_j j^{-s}`
  (Zipf's law with exponent s; :func:`zipf_probabilities`);
- a document is ``doc_length`` words drawn independently from :math:`p`; its
  feature vector :math:`x \in \{0, 1\}^V` marks which words occur (binary
  bag of words), so word k is present with probability
  :math:`1 - (1 - p_k)^L` (:func:`document_frequencies`);
- each word has a true weight :math:`w^*_k \sim N(0, \sigma_w^2)`,
  σ_w = ``weight_scale``, and the label is
  :math:`y \sim \mathrm{Bernoulli}(\sigma(x^\top w^* + b^*))`, with the bias
  :math:`b^*` set so that the median training document has :math:`x^\top w^* + b^* = 0`
  (balanced classes).

Frequent words carry as much weight as rare ones, so a model must learn the
weights of words that appear in a handful of documents: the setting in which
per-coordinate step sizes (Adagrad, RMSprop, Adam) are supposed to help.
The result is an :class:`optbook.data.Dataset` for
:class:`optbook.models.LogisticRegression` (``true_theta = concatenate([w*, [b*]])``).
"""

from __future__ import annotations

import numpy as np

from .data import Dataset, _check_seed
from .optimizers._base import check_nonnegative, check_positive

__all__ = ["document_frequencies", "zipf_bag_of_words", "zipf_probabilities"]


def _check_count(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def zipf_probabilities(vocabulary: int, exponent: float = 1.1) -> np.ndarray:
    r""":math:`p_k = k^{-s} / \sum_{j=1}^V j^{-s}` for :math:`k = 1, \dots, V` (Zipf's law)."""
    vocabulary = _check_count(vocabulary, "vocabulary")
    exponent = check_nonnegative("exponent", exponent)
    p = np.arange(1, vocabulary + 1, dtype=np.float64) ** -exponent
    return p / p.sum()


def document_frequencies(vocabulary: int, doc_length: int, exponent: float = 1.1) -> np.ndarray:
    r"""The probability :math:`1 - (1 - p_k)^L` that word k occurs in a document of L words."""
    doc_length = _check_count(doc_length, "doc_length")
    return 1 - (1 - zipf_probabilities(vocabulary, exponent)) ** doc_length


def zipf_bag_of_words(
    n: int = 1500,
    vocabulary: int = 1000,
    doc_length: int = 40,
    exponent: float = 1.1,
    weight_scale: float = 1.0,
    seed: int = 0,
    n_test: int | None = None,
) -> Dataset:
    r"""Binary bag-of-words documents with Zipf word frequencies and logistic labels.

    Parameters
    ----------
    n, n_test:
        training and test documents (default ``n_test = n // 3``).
    vocabulary:
        V, the number of words (features).
    doc_length:
        L, the words drawn per document (with repetition; a word counts once).
    exponent:
        s of Zipf's law (s = 0 makes all words equally likely).
    weight_scale:
        σ_w, the standard deviation of the true weights.
    seed:
        everything is drawn from ``numpy.random.default_rng(seed)``.
    """
    n = _check_count(n, "n")
    vocabulary = _check_count(vocabulary, "vocabulary")
    doc_length = _check_count(doc_length, "doc_length")
    exponent = check_nonnegative("exponent", exponent)
    weight_scale = check_positive("weight_scale", weight_scale)
    n_test = n // 3 if n_test is None else _check_count(n_test, "n_test", 0)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    p = zipf_probabilities(vocabulary, exponent)
    w = weight_scale * rng.standard_normal(vocabulary)

    def documents(m: int) -> np.ndarray:
        words = rng.choice(vocabulary, size=(m, doc_length), p=p)
        X = np.zeros((m, vocabulary))
        X[np.repeat(np.arange(m), doc_length), words.ravel()] = 1.0
        return X

    X_train, X_test = documents(n), documents(n_test)
    b = -float(np.median(X_train @ w))

    def labels(X: np.ndarray) -> np.ndarray:
        z = X @ w + b
        return (rng.random(len(X)) < 0.5 * (1 + np.tanh(z / 2))).astype(np.float64)  # σ(z)

    y_train, y_test = labels(X_train), labels(X_test)
    return Dataset(
        f"Zipf bag of words (V = {vocabulary}, L = {doc_length}, s = {exponent:g})",
        X_train, y_train, X_test, y_test,
        tuple(f"word{k + 1}" for k in range(vocabulary)), "classification", 2,
        np.append(w, b),
    )
