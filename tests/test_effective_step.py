"""optbook.effective_step: the effective step sizes are exactly what the optimizers apply."""

from __future__ import annotations

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.effective_step import effective_step, effective_step_history
from optbook.functions import ill_conditioned_quadratic
from optbook.optimizers import SGD, Adadelta, Adagrad, Adam, Momentum, RMSprop

GRADIENT_OPTIMIZERS = [
    lambda: SGD(lr=0.1),
    lambda: Adagrad(lr=0.1),
    lambda: Adagrad(lr=0.1, eps=1e-3, eps_inside_sqrt=False),
    lambda: Adadelta(rho=0.9, eps=1e-4),
    lambda: Adadelta(lr=0.5, rho=0.95),
    lambda: RMSprop(lr=0.01),
    lambda: RMSprop(lr=0.01, rho=0.99, eps_inside_sqrt=False),
    lambda: RMSprop(lr=0.01, centered=True, eps=1e-6),
    lambda: RMSprop(lr=0.01, rho=0.0, eps=0.0),
]


def gradients(seed: int, d: int = 6, steps: int = 40):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(steps, d)) * rng.choice([1e-3, 1.0, 30.0], size=d)
    g[rng.random((steps, d)) < 0.2] = 0.0
    return g


@pytest.mark.parametrize("make", GRADIENT_OPTIMIZERS)
def test_step_is_minus_effective_step_times_gradient(make) -> None:
    opt, theta = make(), np.zeros(6)
    for g in gradients(0):
        eff = effective_step(opt, g)
        t_before, state_before = opt.t, opt.state_dict()
        assert opt.t == t_before and all(
            np.array_equal(a, b) for a, b in zip(
                [x for st in opt.state_dict()["state"].values() for x in st.values()],
                [x for st in state_before["state"].values() for x in st.values()],
                strict=True)
        )  # effective_step changes nothing
        before = theta.copy()
        opt.step(theta, g)
        np.testing.assert_allclose(theta - before, -eff * g, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("mode", ["moments", "step_size", "none"])
def test_adam_step_is_minus_effective_step_times_m_hat(mode) -> None:
    opt, theta = Adam(lr=0.01, bias_correction=mode), np.zeros(6)
    m = np.zeros(6)
    for t, g in enumerate(gradients(1), start=1):
        eff = effective_step(opt, g)
        m = 0.9 * m + 0.1 * g
        d = m if mode == "none" else m / (1 - 0.9**t)
        before = theta.copy()
        opt.step(theta, g)
        np.testing.assert_allclose(theta - before, -eff * d, rtol=1e-12, atol=1e-300)


def test_adagrad_options_of_the_adagrad_chapter() -> None:
    """initial_accumulator_value and lr_decay, where the Adagrad class has them."""
    try:
        opt = Adagrad(lr=0.1, initial_accumulator_value=0.1, lr_decay=0.01)
    except TypeError:
        pytest.skip("this Adagrad has no initial_accumulator_value / lr_decay")
    theta = np.zeros(6)
    for g in gradients(2):
        eff = effective_step(opt, g)
        before = theta.copy()
        opt.step(theta, g)
        np.testing.assert_allclose(theta - before, -eff * g, rtol=1e-12, atol=1e-300)


def test_known_values() -> None:
    g = np.array([3.0, 0.0])
    np.testing.assert_allclose(effective_step(Adagrad(lr=1.0, eps=0.0), g), [1 / 3, 0.0])
    np.testing.assert_allclose(effective_step(RMSprop(lr=1.0, rho=0.75, eps=0.0), g), [2 / 3, 0.0])
    # Adadelta's first step: √ε / √((1 − ρ) g² + ε)
    np.testing.assert_allclose(effective_step(Adadelta(rho=0.9, eps=1e-6), g),
                               np.sqrt(1e-6) / np.sqrt(0.1 * g**2 + 1e-6))


def test_history_records_every_step_and_stops_at_divergence() -> None:
    bowl = ill_conditioned_quadratic()
    rec = effective_step_history(bowl, Adagrad(lr=0.5), 30, [-7.0, 2.0])
    assert rec.path.shape == (31, 2) and rec.steps.shape == (30, 2) and rec.diverged_at is None
    np.testing.assert_allclose(np.diff(rec.path, axis=0), -rec.steps * rec.grads, rtol=1e-12)
    assert np.all(np.diff(rec.steps, axis=0) <= 0)  # Adagrad's steps never grow
    rec = effective_step_history(lambda th, t: np.array([1e308 * t]), SGD(lr=1e10), 5, [0.0])
    assert rec.diverged_at == 1 and rec.steps.shape == (0, 1) and rec.path.shape == (1, 1)
    rec = effective_step_history(lambda th, t: np.array([np.inf if t == 3 else 1.0]),
                                 SGD(lr=0.1), 5, [0.0])
    assert rec.diverged_at == 3 and rec.steps.shape == (2, 1) and rec.path.shape == (3, 1)


def test_bad_input_raises_value_error_naming_it() -> None:
    used = SGD(lr=0.1)
    used.step(np.zeros(2), np.ones(2))
    two = SGD(lr=0.1)
    two.step([np.zeros(2), np.zeros(1)], [np.ones(2), np.ones(1)])
    assert_each_raises_value_error_naming([
        (lambda: effective_step(Momentum(lr=0.1), np.ones(2)), "optimizer"),
        (lambda: effective_step(SGD(), np.ones(2, dtype=int)), "g"),
        (lambda: effective_step(used, np.ones(3)), "g"),
        (lambda: effective_step(two, np.ones(2)), "optimizer"),
        (lambda: effective_step_history(ill_conditioned_quadratic(), SGD(), -1, [0, 0]),
         "n_steps"),
        (lambda: effective_step_history(ill_conditioned_quadratic(), used, 3, [0, 0]),
         "optimizer"),
        (lambda: effective_step_history(3, SGD(), 3, [0, 0]), "grad"),
        (lambda: effective_step_history(ill_conditioned_quadratic(), SGD(), 3, [np.nan, 0]),
         "start"),
    ])
