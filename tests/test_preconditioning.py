"""optbook.preconditioning: full-matrix Adagrad, the cost count, effective step sizes and
switching tasks."""

from __future__ import annotations

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.data import sparse_features
from optbook.functions import ill_conditioned_quadratic, quadratic
from optbook.models import LinearRegression
from optbook.optimizers import SGD, Adagrad
from optbook.preconditioning import (
    FullMatrixAdagrad,
    effective_step_sizes,
    full_matrix_cost,
    inverse_root,
    switching_run,
)
from optbook.run import run
from optbook.style import style_for


@pytest.mark.parametrize("inside", [False, True])
@pytest.mark.parametrize("eps", [0.0, 1e-10, 0.3])
def test_inverse_root_is_the_inverse_of_h(inside, eps):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 4))
    G = X.T @ X
    lam, Q = np.linalg.eigh(G)
    root = (Q * np.sqrt(lam)) @ Q.T
    H = eps * np.eye(4) + root if not inside else (Q * np.sqrt(lam + eps)) @ Q.T
    np.testing.assert_allclose(inverse_root(G, eps, inside) @ H, np.eye(4), atol=1e-9)


def test_inverse_root_of_a_singular_matrix_without_eps_is_zero_on_the_null_space():
    G = np.outer([1.0, 1.0], [1.0, 1.0])  # rank one
    P = inverse_root(G, 0.0)
    np.testing.assert_allclose(P @ np.array([1.0, -1.0]), 0.0, atol=1e-12)
    np.testing.assert_allclose(P @ np.array([1.0, 1.0]), np.array([1.0, 1.0]) / np.sqrt(2),
                               rtol=1e-12)


def test_full_matrix_rule_matches_the_equations():
    """G_t = G_{t-1} + g gᵀ; θ_t = θ_{t-1} − η (εI + G_t^{1/2})⁻¹ g_t."""
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(10, 3))
    opt, theta = FullMatrixAdagrad(lr=0.4, eps=1e-3), np.zeros(3)
    ref, G = np.zeros(3), np.zeros((3, 3))
    for g in grads:
        opt.step(theta, g.copy())
        G += np.outer(g, g)
        lam, Q = np.linalg.eigh(G)
        H = 1e-3 * np.eye(3) + (Q * np.sqrt(np.clip(lam, 0, None))) @ Q.T
        ref = ref - 0.4 * np.linalg.solve(H, g)
        np.testing.assert_allclose(theta, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(opt.state["full"]["G"], grads.T @ grads, rtol=1e-12)


@pytest.mark.parametrize("inside", [False, True])
def test_full_matrix_equals_diagonal_when_gradients_touch_one_coordinate(inside):
    """With one non-zero coordinate per step, Σ g gᵀ is diagonal: the two rules agree."""
    rng = np.random.default_rng(2)
    full = FullMatrixAdagrad(lr=0.3, eps=1e-6, eps_inside_sqrt=inside)
    diag = Adagrad(lr=0.3, eps=1e-6, eps_inside_sqrt=inside)
    a, b = np.zeros(4), np.zeros(4)
    for _ in range(40):
        g = np.zeros(4)
        g[rng.integers(4)] = rng.normal()
        full.step(a, g.copy())
        diag.step(b, g.copy())
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_full_matrix_is_rotation_equivariant():
    """The chapter's claim: on the rotated quadratic, the same losses as unrotated."""
    aligned = run(ill_conditioned_quadratic(), FullMatrixAdagrad(lr=2.0), 50)
    for angle in (0.3, np.pi / 4, 1.2):
        rotated = run(quadratic((0.1, 2.0), angle=angle), FullMatrixAdagrad(lr=2.0), 50)
        np.testing.assert_allclose(rotated.losses, aligned.losses, rtol=1e-6, atol=1e-15)
        diag = run(quadratic((0.1, 2.0), angle=angle), Adagrad(lr=2.0), 50)
        assert diag.losses[-1] > 100 * rotated.losses[-1]


def test_full_matrix_several_arrays_and_state_dict():
    opt = FullMatrixAdagrad(lr=0.1)
    params = {"w": np.ones((2, 2)), "b": np.zeros(1)}
    for k in range(3):
        opt.step(params, {"w": np.full((2, 2), k + 1.0), "b": np.array([1.0])})
    assert opt.state["full"]["G"].shape == (5, 5)
    other = FullMatrixAdagrad()
    other.load_state_dict(opt.state_dict())
    p1 = {k: v.copy() for k, v in params.items()}
    p2 = {k: v.copy() for k, v in params.items()}
    g = {"w": np.full((2, 2), 0.5), "b": np.array([-1.0])}
    opt.step(p1, {k: v.copy() for k, v in g.items()})
    other.step(p2, {k: v.copy() for k, v in g.items()})
    for k in p1:
        assert np.array_equal(p1[k], p2[k])
    with pytest.raises(ValueError, match="changed"):
        opt.step({"w": np.ones(3), "b": np.zeros(1)}, {"w": np.ones(3), "b": np.zeros(1)})


def test_preconditioner_before_and_after_a_step():
    opt = FullMatrixAdagrad()
    with pytest.raises(ValueError, match="no step"):
        opt.preconditioner()
    opt.step(np.zeros(2), np.array([3.0, 4.0]))
    np.testing.assert_allclose(opt.preconditioner(),
                               inverse_root(np.outer([3.0, 4.0], [3.0, 4.0]), 1e-10))
    theta = np.zeros(2)
    FullMatrixAdagrad(lr=1.0).step(theta, np.array([3.0, 4.0]))
    np.testing.assert_allclose(theta, -np.array([3.0, 4.0]) / (5 + 1e-10), rtol=1e-13)


def test_bad_arguments_raise_value_error_naming_them():
    assert_each_raises_value_error_naming([
        (lambda: FullMatrixAdagrad(lr=0.0), "lr"),
        (lambda: FullMatrixAdagrad(eps=-1.0), "eps"),
        (lambda: FullMatrixAdagrad(eps_inside_sqrt=1), "eps_inside_sqrt"),
        (lambda: inverse_root(np.ones((2, 3)), 0.0), "G"),
        (lambda: inverse_root(np.full((2, 2), np.nan), 0.0), "G"),
        (lambda: inverse_root(np.eye(2), -1.0), "eps"),
        (lambda: full_matrix_cost(0), "d"),
        (lambda: full_matrix_cost(2.5), "d"),
        (lambda: full_matrix_cost(True), "d"),
        (lambda: full_matrix_cost(10, bytes_per_number=0), "bytes_per_number"),
        (lambda: effective_step_sizes(ill_conditioned_quadratic(), np.zeros((1, 2))), "path"),
        (lambda: effective_step_sizes(ill_conditioned_quadratic(), np.zeros(3)), "path"),
    ])


def test_full_matrix_cost_counts():
    cost = full_matrix_cost(10**6, bytes_per_number=4)
    assert cost["diagonal_bytes"] == 4e6 and cost["full_bytes"] == 4e12
    assert cost["full_flops"] == 9e18 + 3e12 and cost["diagonal_flops"] == 5e6


def test_effective_step_sizes():
    bowl = ill_conditioned_quadratic()
    sgd = run(bowl, SGD(lr=0.3), 20)
    np.testing.assert_allclose(effective_step_sizes(bowl, sgd.path), 0.3, rtol=1e-9)
    ada = run(bowl, Adagrad(lr=0.5, eps=1e-8), 20)
    g = np.array([bowl.grad(th) for th in ada.path[:-1]])
    expected = 0.5 / np.sqrt(np.cumsum(g**2, axis=0) + 1e-8)
    np.testing.assert_allclose(effective_step_sizes(bowl, ada.path), expected, rtol=1e-7)
    # a zero gradient gives NaN, not a warning
    zero = effective_step_sizes(bowl, np.array([[0.0, 0.0], [0.0, 0.0]]))
    assert np.all(np.isnan(zero))


def _sparse_tasks():
    data = sparse_features(n=800, d=10, seed=0)
    a = LinearRegression(data.X_train, data.y_train)
    th = a.solve()
    b = LinearRegression(data.X_train, data.y_train - data.X_train @ th[:-1] - th[-1])
    return a, b


def test_switching_run_is_seeded_and_continues_the_state():
    a, b = _sparse_tasks()
    r1 = switching_run([a, b], Adagrad(lr=0.3), 200, 8, seed=3, eval_every=20)
    r2 = switching_run([a, b], Adagrad(lr=0.3), 200, 8, seed=3, eval_every=20)
    assert all(np.array_equal(r1[k], r2[k]) for k in r1)
    assert r1["updates"].tolist() == list(range(0, 401, 20))
    assert r1["phase"].tolist() == [0] + [0] * 10 + [1] * 10
    opt = SGD(lr=0.1)
    switching_run([a], opt, 50, 4)
    assert opt.t == 50


def test_switching_run_rejects_bad_input():
    a, b = _sparse_tasks()
    small = LinearRegression(a.X[:, :3], a.y)
    assert_each_raises_value_error_naming([
        (lambda: switching_run([], SGD(), 10, 4), "models"),
        (lambda: switching_run([a], SGD(), 0, 4), "updates_per_phase"),
        (lambda: switching_run([a], SGD(), 10, 0), "batch_size"),
        (lambda: switching_run([a], SGD(), 10, 4, eval_every=True), "eval_every"),
        (lambda: switching_run([a], SGD(), 10, 4, seed=-1), "seed"),
        (lambda: switching_run([a], "SGD", 10, 4), "optimizer"),
        (lambda: switching_run([a, small], SGD(), 10, 4), "model"),
        (lambda: switching_run([a], SGD(), 10, 4, start=np.zeros(2)), "start"),
    ])


def test_full_matrix_has_its_own_style():
    assert style_for("FullMatrixAdagrad")["color"] == style_for("Adagrad")["color"]
    assert style_for("FullMatrixAdagrad")["linestyle"] != style_for("Adagrad")["linestyle"]


def test_full_matrix_rejects_non_finite_gradients_before_changing_anything():
    opt, theta = FullMatrixAdagrad(), np.ones(2)
    with pytest.raises(ValueError, match="non-finite"):
        opt.step(theta, np.array([1.0, np.nan]))
    assert opt.t == 0 and np.array_equal(theta, np.ones(2)) and "full" not in opt.state
    opt.step(theta, np.array([1.0, np.inf]), check_finite=False)  # let through on request
    assert opt.t == 1
    with pytest.raises(ValueError, match="check_finite"):
        opt.step(theta, np.ones(2), check_finite=1)
