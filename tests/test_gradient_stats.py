"""optbook.gradient_stats: the variance of a mini-batch gradient, exact and measured.

The reference is linear regression, whose per-example gradients have a closed
form, g_i = x̃_i (x̃_iᵀθ − y_i) + λ(w, 0), computed here independently of the
model's code. The two laws E‖g_B − ḡ‖² = trΣ/B (with replacement) and
(n − B)/(n − 1)·trΣ/B (without) are checked exactly by enumerating every
mini-batch of a small data set, and statistically for the Monte Carlo
measurement that the chapter uses.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook.gradient_stats import (
    gradient_noise_scale,
    gradient_variance,
    minibatch_gradient_variance,
    per_example_gradients,
    predicted_minibatch_variance,
)
from optbook.models import LinearRegression

L2 = 0.1


def make_problem(n: int, d: int = 3, seed: int = 0) -> tuple[LinearRegression, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n) + 1.0
    theta = rng.normal(size=d + 1)
    return LinearRegression(X, y, l2=L2), theta


def closed_form_gradients(model: LinearRegression, theta: np.ndarray) -> np.ndarray:
    Xb = np.hstack([model.X, np.ones((model.X.shape[0], 1))])
    r = Xb @ theta - model.y
    G = Xb * r[:, None]
    G[:, :-1] += L2 * theta[:-1]
    return G


def closed_form_trace(model: LinearRegression, theta: np.ndarray) -> float:
    G = closed_form_gradients(model, theta)
    D = G - G.mean(axis=0)
    return float(np.sum(D * D) / G.shape[0])


def test_per_example_gradients_match_the_closed_form_and_average_to_the_gradient():
    model, theta = make_problem(25)
    G = per_example_gradients(model, theta)
    assert G.shape == (25, model.dim)
    np.testing.assert_allclose(G, closed_form_gradients(model, theta), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(G.mean(axis=0), model.grad(theta), rtol=1e-12, atol=1e-12)


def test_gradient_variance_is_the_trace_of_the_per_example_covariance():
    model, theta = make_problem(25)
    assert gradient_variance(model, theta) == pytest.approx(closed_form_trace(model, theta),
                                                             rel=1e-12)
    # the trace of numpy's population covariance (ddof=0) is the same number
    cov = np.cov(closed_form_gradients(model, theta), rowvar=False, ddof=0)
    assert gradient_variance(model, theta) == pytest.approx(np.trace(cov), rel=1e-12)


@pytest.mark.parametrize("B", [1, 2, 3, 5, 6])
def test_law_without_replacement_exactly_by_enumerating_every_subset(B):
    n = 6
    model, theta = make_problem(n, seed=1)
    G = closed_form_gradients(model, theta)
    full = G.mean(axis=0)
    sq = [np.sum((G[list(s)].mean(axis=0) - full) ** 2)
          for s in itertools.combinations(range(n), B)]
    exact = float(np.mean(sq))  # every subset is equally likely
    predicted = predicted_minibatch_variance(closed_form_trace(model, theta), n, [B])[0]
    assert predicted == pytest.approx(exact, rel=1e-12, abs=1e-14)
    if B == n:
        assert exact < 1e-25  # the whole set: no noise at all


@pytest.mark.parametrize("B", [1, 2, 3, 5, 6])
def test_law_with_replacement_exactly_by_enumerating_every_tuple(B):
    n = 5
    model, theta = make_problem(n, seed=2)
    G = closed_form_gradients(model, theta)
    full = G.mean(axis=0)
    sq = [np.sum((G[list(s)].mean(axis=0) - full) ** 2)
          for s in itertools.product(range(n), repeat=B)]
    exact = float(np.mean(sq))  # every ordered tuple is equally likely
    trace = closed_form_trace(model, theta)
    predicted = predicted_minibatch_variance(trace, n, [B], replace=True)[0]
    assert predicted == pytest.approx(exact, rel=1e-12)
    assert predicted == pytest.approx(trace / B, rel=1e-15)


@pytest.mark.parametrize("replace", [False, True])
def test_measured_variance_follows_the_law(replace):
    n = 30
    model, theta = make_problem(n, seed=3)
    sizes = [1, 2, 5, 10, 20, 25, 29]
    measured, stderr = minibatch_gradient_variance(
        model, theta, sizes, n_draws=3000, seed=0, replace=replace, return_stderr=True
    )
    trace = closed_form_trace(model, theta)
    predicted = predicted_minibatch_variance(trace, n, sizes, replace=replace)
    other = predicted_minibatch_variance(trace, n, sizes, replace=not replace)
    # within 4 standard errors, and the standard errors are a few percent
    assert np.all(np.abs(measured - predicted) < 4 * stderr)
    assert np.all(stderr < 0.06 * predicted)
    # the test can tell the two laws apart where they differ (B close to n)
    far = np.array(sizes) >= 20
    assert np.all(np.abs(measured - other)[far] > 10 * stderr[far])


def test_whole_set_without_replacement_has_no_noise_but_with_replacement_has_some():
    n = 30
    model, theta = make_problem(n, seed=4)
    without = minibatch_gradient_variance(model, theta, [n], n_draws=5, replace=False)[0]
    assert without < 1e-25
    trace = closed_form_trace(model, theta)
    with_ = minibatch_gradient_variance(model, theta, [n], n_draws=3000, replace=True)[0]
    assert with_ == pytest.approx(trace / n, rel=0.1)


def test_measurement_is_seeded():
    model, theta = make_problem(20)
    a = minibatch_gradient_variance(model, theta, [1, 4], n_draws=50, seed=7)
    b = minibatch_gradient_variance(model, theta, [1, 4], n_draws=50, seed=7)
    c = minibatch_gradient_variance(model, theta, [1, 4], n_draws=50, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_gradient_noise_scale_is_trace_over_squared_gradient_norm():
    model, theta = make_problem(40)
    g = closed_form_gradients(model, theta).mean(axis=0)
    expected = closed_form_trace(model, theta) / float(g @ g)
    assert gradient_noise_scale(model, theta) == pytest.approx(expected, rel=1e-12)
    # at the minimiser the full gradient is (almost) zero: the noise scale explodes
    assert gradient_noise_scale(model, model.solve()) > 1e8


def test_bad_arguments_raise_value_error_naming_them():
    model, theta = make_problem(10)
    with pytest.raises(ValueError, match="batch_sizes"):
        minibatch_gradient_variance(model, theta, [0, 2])
    with pytest.raises(ValueError, match="batch_sizes"):
        minibatch_gradient_variance(model, theta, [11])
    with pytest.raises(ValueError, match="batch_sizes"):
        minibatch_gradient_variance(model, theta, [1.5])
    with pytest.raises(ValueError, match="n_draws"):
        minibatch_gradient_variance(model, theta, [2], n_draws=1)
    with pytest.raises(ValueError, match="trace"):
        predicted_minibatch_variance(-1.0, 10, [1])
    with pytest.raises(ValueError, match="n must"):
        predicted_minibatch_variance(1.0, 1, [1])
    with pytest.raises(ValueError, match="model"):
        gradient_variance(object(), theta)
    # with replacement a batch may be larger than the data set
    assert minibatch_gradient_variance(model, theta, [20], n_draws=3, replace=True).shape == (1,)


def test_more_bad_arguments_raise_value_error_naming_them():
    # seed=None used to measure with an unseeded generator, replace="no" meant "with
    # replacement" (a truthy string), a complex theta warned, a string trace was a TypeError
    model, theta = make_problem(10)
    cases = [
        (lambda: minibatch_gradient_variance(model, theta, [2], seed=None), "seed"),
        (lambda: minibatch_gradient_variance(model, theta, [2], seed=-1), "seed"),
        (lambda: minibatch_gradient_variance(model, theta, [2], replace="no"), "replace"),
        (lambda: minibatch_gradient_variance(model, theta + 0j, [2]), "theta"),
        (lambda: gradient_variance(model, theta + 0j), "theta"),
        (lambda: gradient_noise_scale(model, theta + 0j), "theta"),
        (lambda: per_example_gradients(model, theta.astype(object)), "theta"),
        (lambda: predicted_minibatch_variance("1", 10, [2]), "trace"),
        (lambda: predicted_minibatch_variance(1.0, 10, [2], replace=1), "replace"),
    ]
    for make, name in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match=rf"\b{name}\b"):
                make()


@settings(deadline=None, max_examples=40, derandomize=True, database=None)
@given(n=st.integers(2, 7), d=st.integers(1, 3), seed=st.integers(0, 10**6), data=st.data())
def test_both_laws_against_enumeration_for_random_problems(n, d, seed, data):
    B = data.draw(st.integers(1, n), label="B")
    model, theta = make_problem(n, d=d, seed=seed)
    G = per_example_gradients(model, theta)
    full = model.grad(theta)
    trace = gradient_variance(model, theta)
    without = np.mean([np.sum((G[list(s)].mean(axis=0) - full) ** 2)
                       for s in itertools.combinations(range(n), B)])
    Bw = min(B, 4)  # n**B tuples: keep it small
    with_ = np.mean([np.sum((G[list(s)].mean(axis=0) - full) ** 2)
                     for s in itertools.product(range(n), repeat=Bw)])
    scale = trace + 1e-300
    assert abs(predicted_minibatch_variance(trace, n, [B])[0] - without) <= 1e-10 * scale
    assert abs(predicted_minibatch_variance(trace, n, [Bw], replace=True)[0] - with_) <= \
        1e-10 * scale
