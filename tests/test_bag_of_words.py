"""Tests of optbook.bag_of_words: the Zipf bag-of-words generator."""

from __future__ import annotations

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.bag_of_words import document_frequencies, zipf_bag_of_words, zipf_probabilities
from optbook.data import Dataset
from optbook.models import LogisticRegression


def test_zipf_probabilities_follow_the_law_and_sum_to_one():
    p = zipf_probabilities(500, 1.1)
    assert p.shape == (500,) and np.isclose(p.sum(), 1.0)
    k = np.arange(1, 501)
    assert np.allclose(p / p[0], k**-1.1)
    assert np.allclose(zipf_probabilities(10, 0.0), 0.1)


def test_document_frequencies_formula():
    p = zipf_probabilities(100, 1.0)
    assert np.allclose(document_frequencies(100, 7, 1.0), 1 - (1 - p) ** 7)


def test_dataset_is_a_binary_bag_of_words_dataset():
    d = zipf_bag_of_words(n=300, vocabulary=200, doc_length=25, seed=3)
    assert isinstance(d, Dataset)
    assert d.X_train.shape == (300, 200) and d.X_test.shape == (100, 200)
    assert d.task == "classification" and d.n_classes == 2
    assert set(np.unique(d.X_train)) <= {0.0, 1.0}
    assert set(np.unique(d.y_train)) <= {0.0, 1.0}
    assert np.all(d.X_train.sum(axis=1) <= 25) and np.all(d.X_train.sum(axis=1) >= 1)
    assert d.true_theta.shape == (201,)
    assert len(d.feature_names) == 200 and d.feature_names[0] == "word1"
    model = LogisticRegression(d.X_train, d.y_train)
    assert np.isfinite(model.value(d.true_theta))


def test_same_seed_same_data_other_seed_other_data():
    a = zipf_bag_of_words(n=200, vocabulary=100, seed=1)
    b = zipf_bag_of_words(n=200, vocabulary=100, seed=1)
    c = zipf_bag_of_words(n=200, vocabulary=100, seed=2)
    for field in ("X_train", "y_train", "X_test", "y_test", "true_theta"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


def test_frequencies_match_zipf_and_classes_are_balanced():
    d = zipf_bag_of_words(n=4000, vocabulary=300, doc_length=30, seed=0, n_test=10)
    measured = d.X_train.mean(axis=0)
    predicted = document_frequencies(300, 30, 1.1)
    assert np.allclose(measured, predicted, atol=0.03)
    assert abs(d.y_train.mean() - 0.5) < 0.05


def test_the_true_weights_predict_the_labels():
    d = zipf_bag_of_words(n=1500, seed=0)
    model = LogisticRegression(d.X_train, d.y_train)
    assert model.accuracy(d.true_theta, d.X_test, d.y_test) > 0.8
    assert model.value(d.true_theta) < model.value(model.start)


def test_no_warning_for_extreme_logits():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zipf_bag_of_words(n=200, vocabulary=50, weight_scale=1e3, seed=0)


@pytest.mark.parametrize("n_test", [0, 5])
def test_n_test(n_test):
    assert zipf_bag_of_words(n=20, vocabulary=10, n_test=n_test).n_test == n_test


def test_bad_input_raises_value_error_naming_the_parameter():
    assert_each_raises_value_error_naming([
        (lambda: zipf_bag_of_words(n=0), "n"),
        (lambda: zipf_bag_of_words(vocabulary=0), "vocabulary"),
        (lambda: zipf_bag_of_words(doc_length=1.5), "doc_length"),
        (lambda: zipf_bag_of_words(exponent=-1), "exponent"),
        (lambda: zipf_bag_of_words(weight_scale=0), "weight_scale"),
        (lambda: zipf_bag_of_words(seed=-1), "seed"),
        (lambda: zipf_bag_of_words(seed=None), "seed"),
        (lambda: zipf_bag_of_words(n_test=-1), "n_test"),
        (lambda: zipf_probabilities(0), "vocabulary"),
        (lambda: document_frequencies(10, 0), "doc_length"),
    ])
