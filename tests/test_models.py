"""The models' losses, gradients and Hessians, and the bundled data loaders."""

import numpy as np
import pytest

from optbook.data import breast_cancer, split_and_standardize
from optbook.models import LogisticRegression


@pytest.fixture(scope="module")
def data():
    return breast_cancer(seed=0)


def central_difference_grad(f, theta, h=1e-6):
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


def test_breast_cancer_split_is_seeded_and_standardized(data):
    again = breast_cancer(seed=0)
    other = breast_cancer(seed=1)
    assert np.array_equal(data.X_train, again.X_train)
    assert not np.array_equal(data.X_train, other.X_train)
    assert data.X_train.shape[0] + data.X_test.shape[0] == 569
    assert data.n_features == 30
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1, atol=1e-12)
    assert set(np.unique(data.y_train)) == {0.0, 1.0}


def test_split_rejects_bad_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        split_and_standardize("x", np.ones((4, 2)), np.ones(4), ("a", "b"), test_fraction=1.0)


@pytest.mark.parametrize("l2", [0.0, 1e-2])
def test_logistic_gradient_and_hessian_match_finite_differences(data, l2):
    model = LogisticRegression(data.X_train, data.y_train, l2=l2)
    rng = np.random.default_rng(3)
    for _ in range(3):
        theta = rng.normal(scale=0.3, size=model.dim)
        fd = central_difference_grad(model.value, theta)
        np.testing.assert_allclose(model.grad(theta), fd, rtol=1e-6, atol=1e-8)
        fd_h = np.array([central_difference_grad(lambda th, i=i: model.grad(th)[i], theta)
                         for i in range(model.dim)])
        np.testing.assert_allclose(model.hessian(theta), fd_h, rtol=1e-5, atol=1e-7)


def test_logistic_loss_is_stable_for_huge_logits():
    X = np.array([[1000.0], [-1000.0]])
    model = LogisticRegression(X, np.array([0.0, 1.0]))
    theta = np.array([1.0, 0.0])
    assert np.isclose(model.value(theta), 1000.0)
    assert np.all(np.isfinite(model.grad(theta)))


def test_smoothness_bounds_the_hessian_everywhere(data):
    model = LogisticRegression(data.X_train, data.y_train, l2=1e-3)
    L = model.smoothness()
    rng = np.random.default_rng(0)
    for scale in (0.0, 0.1, 1.0):
        theta = rng.normal(scale=scale, size=model.dim)
        assert np.linalg.eigvalsh(model.hessian(theta))[-1] <= L * (1 + 1e-12)
    # at θ = 0 every p_i = 1/2, so the bound is attained (up to the l2 term)
    assert np.isclose(np.linalg.eigvalsh(model.hessian(model.start))[-1], L, rtol=1e-10)


def test_logistic_rejects_bad_input(data):
    with pytest.raises(ValueError, match="y must"):
        LogisticRegression(data.X_train, data.y_train[:-1])
    with pytest.raises(ValueError, match="only 0 and 1"):
        LogisticRegression(np.ones((2, 1)), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="l2"):
        LogisticRegression(np.ones((2, 1)), np.array([0.0, 1.0]), l2=-1)
    model = LogisticRegression(np.ones((2, 1)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="theta"):
        model.grad(np.zeros(5))


def test_accuracy_counts_correct_predictions():
    X = np.array([[1.0], [-1.0], [2.0]])
    model = LogisticRegression(X, np.array([1.0, 0.0, 0.0]))
    assert model.accuracy(np.array([1.0, 0.0]), X, model.y) == pytest.approx(2 / 3)


def test_newton_finds_the_minimiser_of_a_quadratic_in_one_step():
    from optbook.functions import quadratic
    from optbook.newton import minimize_newton

    bowl = quadratic([0.1, 2.0, 5.0], seed=1)
    theta = minimize_newton(bowl, max_steps=1)
    np.testing.assert_allclose(theta, 0.0, atol=1e-12)


def test_newton_minimises_logistic_regression(data):
    from optbook.newton import minimize_newton

    model = LogisticRegression(data.X_train, data.y_train, l2=1e-3)
    theta = minimize_newton(model)
    assert np.linalg.norm(model.grad(theta)) <= 1e-12
    # a minimum: no small random move lowers the loss
    rng = np.random.default_rng(0)
    f_star = model.value(theta)
    for _ in range(20):
        assert model.value(theta + 1e-4 * rng.normal(size=model.dim)) > f_star


def test_newton_reports_failure():
    from optbook.newton import minimize_newton

    model = LogisticRegression(np.array([[1.0], [-1.0]]), np.array([1.0, 0.0]))  # separable
    with pytest.raises(ValueError, match="did not reach"):
        minimize_newton(model, max_steps=5)
