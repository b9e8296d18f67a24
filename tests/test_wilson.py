"""Tests for optbook.wilson: Wilson et al.'s construction, both lemmas, the errors."""

from __future__ import annotations

import numpy as np
import pytest

from optbook.optimizers import SGD, Adagrad, Adam, Nesterov, RMSprop
from optbook.run import run
from optbook.wilson import (
    LeastSquares,
    classification_error,
    least_squares_sgd,
    minimum_norm_solution,
    sign_solution,
    wilson_data,
    wilson_features,
    wilson_test_data,
)


def test_construction_features() -> None:
    X, y = wilson_data(8, p=0.6, seed=1)
    assert X.shape == (8, 3 + 40)
    np.testing.assert_array_equal(X[:, 0], y)
    assert np.all(X[:, 1:3] == 1)
    own = X[:, 3:]
    assert np.all(own.sum(axis=1) == np.where(y > 0, 1, 5))
    assert np.all(own.sum(axis=0) <= 1)  # no two examples share an own feature
    for i in range(8):  # paper's 1-based j = 4 + 5(i - 1) is 0-based 3 + 5i
        assert X[i, 3 + 5 * i] == 1


def test_sign_lemma_hypothesis_and_solution() -> None:
    X, y = wilson_data(30, p=0.55, seed=1)
    w, c = sign_solution(X, y)
    assert c == 4.0
    np.testing.assert_allclose(X @ w, y, atol=1e-14)
    # flipping the labels keeps the construction's symmetry: still c = 4
    assert sign_solution(X * np.r_[-1.0, np.ones(X.shape[1] - 1)], -y)[1] == 4.0
    # but the construction itself with more negatives breaks the hypothesis
    with pytest.raises(ValueError, match="lemma"):
        sign_solution(wilson_features(-y), -y)
    with pytest.raises(ValueError, match="y must"):
        wilson_features(np.array([1.0, 0.0]))


def test_bad_draw_and_bad_input_raise() -> None:
    bad = next(s for s in range(50) if np.sum(np.where(
        np.random.default_rng(s).random(5) < 0.55, 1, -1)) <= 0)
    with pytest.raises(ValueError, match="seed"):
        wilson_data(5, p=0.55, seed=bad)
    with pytest.raises(ValueError, match="p must"):
        wilson_data(5, p=0.5)
    with pytest.raises(ValueError, match="n must"):
        wilson_data(0)
    with pytest.raises(ValueError, match="dim"):
        wilson_test_data(3, 2)


def test_gradient_methods_find_min_norm_and_adaptive_the_sign_solution() -> None:
    X, y = wilson_data(40, p=0.55, seed=1)
    prob = LeastSquares(X, y)
    Xn, yn = wilson_test_data(1000, prob.dim, p=0.55, seed=2)
    w_mn = minimum_norm_solution(X, y)
    w_s, _ = sign_solution(X, y)
    L = prob.smoothness()
    for opt in (SGD(lr=1 / L), Nesterov(lr=0.5 / L)):
        w = run(prob, opt, 3000).final
        np.testing.assert_allclose(w, w_mn, atol=1e-8)
        assert classification_error(w, Xn, yn) == 0.0
    for opt in (Adagrad(lr=0.1), RMSprop(lr=0.01), Adam(lr=0.01)):
        w = run(prob, opt, 3000).final
        cos = w @ w_s / np.linalg.norm(w) / np.linalg.norm(w_s)
        assert cos > 0.999
        assert classification_error(w, X, y) == 0.0
        assert classification_error(w, Xn, yn) == pytest.approx(np.mean(yn < 0))
    w = least_squares_sgd(X, y, SGD(lr=0.2), epochs=100, batch_size=1, seed=0)
    np.testing.assert_allclose(w, w_mn, atol=1e-8)


def test_least_squares_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    prob = LeastSquares(rng.standard_normal((5, 7)), rng.standard_normal(5))
    w = rng.standard_normal(7)
    e = np.eye(7) * 1e-6
    fd = np.array([(prob.value(w + d) - prob.value(w - d)) / 2e-6 for d in e])
    np.testing.assert_allclose(prob.grad(w), fd, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="X must be"):
        LeastSquares(np.ones(3), np.ones(3))
