"""Tests of optbook.functions: derivatives, minima, broadcasting, input checks, Reddi's problems."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optbook.functions import (
    HIMMELBLAU_MINIMA,
    STANDARD_SURFACES,
    Objective,
    Quadratic,
    beale,
    himmelblau,
    ill_conditioned_quadratic,
    monkey_saddle,
    quadratic,
    quadratic_matrix,
    reddi_problem,
    reddi_synthetic,
    rosenbrock,
    saddle,
    saddle_nd,
)

# every smooth objective the package makes, with a few non-default parameters
OBJECTIVES = {
    **{name: factory for name, factory in STANDARD_SURFACES.items()},
    "rosenbrock_a2_b50": lambda: rosenbrock(a=2.0, b=50.0),
    "quadratic_rotated": lambda: quadratic((0.5, 7.0), angle=0.6),
    "quadratic_3d_seed": lambda: quadratic((0.3, 1.0, 4.0), seed=3),
    "quadratic_1d": lambda: quadratic((2.5,)),
}


def random_points(obj: Objective, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo = np.array([b[0] for b in obj.bounds])
    hi = np.array([b[1] for b in obj.bounds])
    return lo + (hi - lo) * rng.random((n, obj.dim))


def central_gradient(f, theta: np.ndarray, h: float) -> np.ndarray:
    """Central differences of the scalar function f, one coordinate at a time."""
    g = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h * max(1.0, abs(theta[i]))
        g[i] = (f(theta + e) - f(theta - e)) / (2 * e[i])
    return g


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_gradient_matches_central_differences(name: str) -> None:
    obj = OBJECTIVES[name]()
    for theta in random_points(obj, 60, seed=1):
        g = obj.grad(theta)
        fd = central_gradient(lambda th: float(obj.value(th)), theta, 1e-5)
        # relative to the size of the gradient: 1e-6
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * (1 + np.linalg.norm(g)))


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_hessian_matches_differences_of_the_gradient(name: str) -> None:
    obj = OBJECTIVES[name]()
    for theta in random_points(obj, 40, seed=2):
        H = obj.hessian(theta)
        assert H.shape == (obj.dim, obj.dim)
        np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * (1 + np.abs(H).max()))
        fd = np.column_stack([
            central_gradient(lambda th, i=i: float(obj.grad(th)[i]), theta, 1e-5)
            for i in range(obj.dim)
        ])
        np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-6 * (1 + np.abs(H).max()))


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_minima_are_stationary_with_the_stated_value(name: str) -> None:
    obj = OBJECTIVES[name]()
    if name == "saddle":
        assert obj.minima == () and obj.min_value is None
        return
    assert obj.minima, "a surface with a minimum lists it"
    for m in obj.minima:
        assert np.linalg.norm(obj.grad(m)) < 1e-12
        assert abs(float(obj.value(m)) - obj.min_value) < 1e-20
        # a minimum, not a saddle or a maximum: the Hessian is positive definite
        assert np.linalg.eigvalsh(obj.hessian(m)).min() > 0
        # and it lies inside the plot window
        for x, (lo, hi) in zip(m, obj.bounds, strict=True):
            assert lo <= x <= hi


def test_himmelblau_minima_are_full_precision_and_distinct() -> None:
    obj = himmelblau()
    assert len(obj.minima) == 4
    for m, literature in zip(obj.minima, [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186),
                                          (3.584428, -1.848126)], strict=True):
        np.testing.assert_allclose(m, literature, atol=1e-6)
        assert np.linalg.norm(obj.grad(m)) < 1e-12
    assert len({tuple(m) for m in HIMMELBLAU_MINIMA}) == 4


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_value_grad_hessian_broadcast_over_grids(name: str) -> None:
    obj = OBJECTIVES[name]()
    pts = random_points(obj, 12, seed=4).reshape(3, 4, obj.dim)
    v, g, H = obj.value(pts), obj.grad(pts), obj.hessian(pts)
    assert v.shape == (3, 4)
    assert g.shape == (3, 4, obj.dim)
    assert H.shape == (3, 4, obj.dim, obj.dim)
    for idx in np.ndindex(3, 4):
        assert v[idx] == pytest.approx(float(obj.value(pts[idx])), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(g[idx], obj.grad(pts[idx]), rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(H[idx], obj.hessian(pts[idx]), rtol=1e-14, atol=1e-14)
    # one point gives a scalar value and a (d,) gradient
    assert obj.value(pts[0, 0]).shape == ()
    assert obj(pts[0, 0]) == obj.value(pts[0, 0])


def test_float32_stays_float32_and_ints_become_float64() -> None:
    obj = rosenbrock()
    th32 = np.array([0.5, 0.25], dtype=np.float32)
    assert obj.value(th32).dtype == np.float32
    assert obj.grad(th32).dtype == np.float32
    assert obj.grad(np.array([1, 2])).dtype == np.float64


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((4, 3)), np.float64(1.0), np.zeros((2, 1))])
def test_wrong_last_axis_raises_value_error_naming_theta(bad: np.ndarray) -> None:
    obj = beale()
    for method in (obj.value, obj.grad, obj.hessian):
        with pytest.raises(ValueError, match=r"theta must have shape \(\.\.\., 2\)"):
            method(bad)


def test_non_numeric_theta_raises() -> None:
    with pytest.raises(ValueError, match="theta"):
        saddle().value(np.array(["a", "b"]))


def test_ill_conditioned_quadratic_is_x2_over_20_plus_y2() -> None:
    obj = ill_conditioned_quadratic()
    assert isinstance(obj, Quadratic)
    pts = random_points(obj, 50, seed=5)
    x, y = pts[:, 0], pts[:, 1]
    np.testing.assert_allclose(obj.value(pts), x**2 / 20 + y**2, rtol=1e-14)
    np.testing.assert_allclose(obj.eigenvalues, [0.1, 2.0])
    assert obj.lambda_max == 2.0
    assert obj.condition_number == pytest.approx(20.0)
    np.testing.assert_array_equal(obj.start, [-7.0, 2.0])
    assert obj.bounds == ((-8.0, 8.0), (-3.0, 3.0))
    assert not obj.log_contours


def test_quadratic_rotation_puts_eigenvectors_where_the_angle_says() -> None:
    angle = 0.6
    obj = quadratic((0.5, 7.0), angle=angle)
    A = quadratic_matrix(obj)
    u = np.array([math.cos(angle), math.sin(angle)])
    np.testing.assert_allclose(A @ u, 0.5 * u, atol=1e-14)
    w = np.array([-math.sin(angle), math.cos(angle)])
    np.testing.assert_allclose(A @ w, 7.0 * w, atol=1e-14)
    # the default start is (-7, 2) rotated with the surface
    np.testing.assert_allclose(obj.start, obj.Q @ [-7.0, 2.0])


def test_quadratic_with_seed_is_reproducible_and_orthogonal() -> None:
    a, b, c = quadratic((1, 2, 3), seed=7), quadratic((1, 2, 3), seed=7), quadratic((1, 2, 3),
                                                                                       seed=8)
    np.testing.assert_array_equal(a.A, b.A)
    assert not np.allclose(a.A, c.A)
    np.testing.assert_allclose(a.Q.T @ a.Q, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(a.A)), [1, 2, 3], rtol=1e-12)


def test_quadratic_default_window_holds_the_start_sublevel_set() -> None:
    obj = quadratic((0.2, 3.0), angle=1.0)
    f0 = float(obj.value(obj.start))
    # points on the level set f = f0 along many directions
    for phi in np.linspace(0, 2 * np.pi, 64):
        d = np.array([math.cos(phi), math.sin(phi)])
        p = d * math.sqrt(2 * f0 / (d @ obj.A @ d))
        assert float(obj.value(p)) == pytest.approx(f0)
        for x, (lo, hi) in zip(p, obj.bounds, strict=True):
            assert lo < x < hi


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"eigenvalues": (1.0, -1.0)}, "eigenvalues"),
        ({"eigenvalues": (1.0, 0.0)}, "eigenvalues"),
        ({"eigenvalues": (1.0, np.nan)}, "eigenvalues"),
        ({"eigenvalues": ()}, "eigenvalues"),
        ({"eigenvalues": (1.0, 2.0, 3.0), "angle": 0.3}, "angle"),
        ({"eigenvalues": (1.0, 2.0), "angle": 0.3, "seed": 1}, "angle"),
    ],
)
def test_quadratic_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        quadratic(**kwargs)


def test_quadratic_matrix_rejects_other_objectives() -> None:
    with pytest.raises(ValueError, match="Quadratic"):
        quadratic_matrix(rosenbrock())


def test_rosenbrock_parameters_move_the_minimum() -> None:
    obj = rosenbrock(a=2.0, b=50.0)
    np.testing.assert_array_equal(obj.minima[0], [2.0, 4.0])
    assert obj.bounds[0][0] <= 2.0 <= obj.bounds[0][1]
    assert obj.bounds[1][0] <= 4.0 <= obj.bounds[1][1]
    with pytest.raises(ValueError, match="b > 0"):
        rosenbrock(b=0)


def test_standard_surfaces_metadata() -> None:
    assert set(STANDARD_SURFACES) == {
        "ill_conditioned_quadratic", "rosenbrock", "beale", "saddle", "himmelblau"
    }
    for factory in STANDARD_SURFACES.values():
        obj = factory()
        assert obj.dim == 2
        assert obj.start.shape == (2,)
        assert not obj.start.flags.writeable
        for x, (lo, hi) in zip(obj.start, obj.bounds, strict=True):
            assert lo <= x <= hi
    assert rosenbrock().log_contours and beale().log_contours and himmelblau().log_contours
    np.testing.assert_array_equal(rosenbrock().start, [-1.2, 1.0])
    np.testing.assert_array_equal(beale().start, [3.0, 4.0])
    assert beale().bounds == ((-4.5, 4.5), (-4.5, 4.5))


def test_saddle_start_is_just_off_the_axis_and_gradient_descent_escapes() -> None:
    obj = saddle()
    x0, y0 = obj.start
    assert y0 != 0 and abs(y0) <= 1e-2 and x0 != 0
    # gradient descent by hand: y grows like (1 + 2 eta)^t
    th, eta = obj.start.copy(), 0.1
    for _ in range(40):
        th -= eta * obj.grad(th)
    assert abs(th[1]) > 1 and abs(th[0]) < 1e-3


def test_custom_objective_validates_its_fields() -> None:
    with pytest.raises(ValueError, match="start"):
        Objective(name="f", dim=2, minima=(), min_value=None, start=np.zeros(3),
                  bounds=((0, 1), (0, 1)), fn=lambda t: t[..., 0], grad_fn=lambda t: t)
    with pytest.raises(ValueError, match="bounds"):
        Objective(name="f", dim=1, minima=(), min_value=None, start=np.zeros(1),
                  bounds=((1, 0),), fn=lambda t: t[..., 0], grad_fn=lambda t: t)
    obj = Objective(name="quartic", dim=1, minima=(np.zeros(1),), min_value=0.0,
                    start=np.ones(1), bounds=((-2, 2),), fn=lambda t: t[..., 0] ** 4,
                    grad_fn=lambda t: 4 * t**3)
    assert float(obj.value(np.array([2.0]))) == 16.0
    with pytest.raises(NotImplementedError):
        obj.hessian(np.ones(1))


# ---------------------------------------------------------------------------
# Reddi et al.'s online problems
# ---------------------------------------------------------------------------
def test_reddi_problem_values_gradients_and_projection() -> None:
    p = reddi_problem(C=3.0)
    t = np.arange(1, 7)
    np.testing.assert_array_equal(p.coefficient(t), [3, -1, -1, 3, -1, -1])
    assert float(p.value(0.5, 1)) == 1.5
    assert float(p.value(0.5, 2)) == -0.5
    assert float(p.grad(0.25, 4)) == 3.0
    assert float(p.grad(0.25, 5)) == -1.0
    np.testing.assert_array_equal(p.project(np.array([-3.0, -0.2, 0.7, 9.0])), [-1, -0.2, 0.7, 1])
    assert p.best == -1.0
    assert p.period_coefficient == 1.0
    with pytest.raises(ValueError, match="t starts at 1"):
        p.coefficient(0)


def brute_force_regret(problem, xs: np.ndarray) -> np.ndarray:
    """R_T by summing the losses and minimising over a grid that includes the ends."""
    grid = np.linspace(problem.lower, problem.upper, 2001)
    out = []
    for T in range(1, len(xs) + 1):
        incurred = sum(float(problem.value(xs[t - 1], t)) for t in range(1, T + 1))
        best = min(sum(float(problem.value(x, t)) for t in range(1, T + 1)) for x in grid[::50])
        best = min(best, sum(float(problem.value(problem.lower, t)) for t in range(1, T + 1)),
                   sum(float(problem.value(problem.upper, t)) for t in range(1, T + 1)))
        out.append(incurred - best)
    return np.array(out)


@pytest.mark.parametrize("C", [1.5, 2.0, 3.0, 10.0])
def test_regret_matches_brute_force(C: float) -> None:
    p = reddi_problem(C)
    xs = np.random.default_rng(int(C * 10)).uniform(-1, 1, 14)
    np.testing.assert_allclose(p.regret(xs), brute_force_regret(p, xs), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.average_regret(xs), p.regret(xs) / np.arange(1, 15))


def test_regret_of_the_best_and_worst_fixed_points_over_whole_periods() -> None:
    p = reddi_problem(3.0)
    T = 30  # ten periods; per period the losses sum to (C - 2) x
    assert p.regret(np.full(T, -1.0))[-1] == pytest.approx(0.0, abs=1e-12)
    assert p.regret(np.full(T, 1.0))[-1] == pytest.approx(2 * (3.0 - 2) * 10)


def test_reddi_problem_rejects_nonpositive_C_and_best_flips_below_two() -> None:
    with pytest.raises(ValueError, match="C > 2"):
        reddi_problem(0.0)
    with pytest.raises(ValueError):
        reddi_problem(-1.0)
    assert reddi_problem(1.5).best == 1.0


def test_reddi_synthetic_pattern() -> None:
    p = reddi_synthetic()
    np.testing.assert_array_equal(p.coefficient([1, 2, 100, 101, 102, 103]),
                                  [1010, -10, -10, -10, 1010, -10])
    assert p.period_coefficient == 10.0
    assert p.best == -1.0
    assert p.regret(np.full(202, -1.0))[-1] == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------------------
# saddle_nd and the monkey saddle
# ---------------------------------------------------------------------------
NEW_OBJECTIVES = {
    "saddle_nd_default": lambda: saddle_nd(),
    "saddle_nd_2_of_5_mixed": lambda: saddle_nd(2, 3, negative=(0.5, 2.0),
                                                 positive=(0.1, 1.0, 4.0)),
    "saddle_nd_unbounded": lambda: saddle_nd(1, 2, negative=3.0, bounded=False),
    "monkey_saddle": monkey_saddle,
}


@pytest.mark.parametrize("name", sorted(NEW_OBJECTIVES))
def test_new_saddles_derivatives_match_differences(name: str) -> None:
    obj = NEW_OBJECTIVES[name]()
    for theta in random_points(obj, 30, seed=11):
        g = obj.grad(theta)
        fd = central_gradient(lambda th: float(obj.value(th)), theta, 1e-5)
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * (1 + np.linalg.norm(g)))
        H = obj.hessian(theta)
        fdh = np.column_stack([
            central_gradient(lambda th, i=i: float(obj.grad(th)[i]), theta, 1e-5)
            for i in range(obj.dim)
        ])
        np.testing.assert_allclose(H, H.T, rtol=0, atol=0)
        np.testing.assert_allclose(H, fdh, rtol=1e-6, atol=1e-6 * (1 + np.abs(H).max()))


@pytest.mark.parametrize("name", sorted(NEW_OBJECTIVES))
def test_new_saddles_broadcast_and_keep_float32(name: str) -> None:
    obj = NEW_OBJECTIVES[name]()
    pts = random_points(obj, 6, seed=12).reshape(2, 3, obj.dim)
    v, g, H = obj.value(pts), obj.grad(pts), obj.hessian(pts)
    assert v.shape == (2, 3) and g.shape == (2, 3, obj.dim)
    assert H.shape == (2, 3, obj.dim, obj.dim)
    for idx in np.ndindex(2, 3):
        assert v[idx] == pytest.approx(float(obj.value(pts[idx])), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(g[idx], obj.grad(pts[idx]), rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(H[idx], obj.hessian(pts[idx]), rtol=1e-14, atol=1e-14)
    th32 = pts[0, 0].astype(np.float32)
    assert obj.value(th32).dtype == np.float32
    assert obj.grad(th32).dtype == np.float32
    assert obj.hessian(th32).dtype == np.float32


def test_saddle_nd_origin_is_a_strict_saddle_with_the_stated_curvatures() -> None:
    obj = saddle_nd(2, 3, negative=(0.5, 2.0), positive=(0.1, 1.0, 4.0))
    origin = np.zeros(5)
    assert obj.dim == 5
    np.testing.assert_array_equal(obj.grad(origin), np.zeros(5))
    np.testing.assert_allclose(np.linalg.eigvalsh(obj.hessian(origin)),
                               [-2.0, -0.5, 0.1, 1.0, 4.0])
    # near the origin f is the indefinite quadratic: the quartic is 4th order
    rng = np.random.default_rng(0)
    for _ in range(5):
        th = 1e-3 * rng.standard_normal(5)
        quad = 0.5 * np.sum(np.array([-0.5, -2.0, 0.1, 1.0, 4.0]) * th**2)
        assert float(obj.value(th)) == pytest.approx(quad, rel=1e-5)


def test_saddle_nd_minima_are_minima_and_the_lowest_points() -> None:
    obj = saddle_nd(2, 3, negative=(0.5, 2.0), positive=(0.1, 1.0, 4.0))
    assert len(obj.minima) == 4
    assert len({tuple(m) for m in obj.minima}) == 4
    assert obj.min_value == pytest.approx(-(0.25 + 4.0) / 4)
    for m in obj.minima:
        np.testing.assert_allclose(np.abs(m[:2]), np.sqrt([0.5, 2.0]))
        np.testing.assert_array_equal(m[2:], 0.0)
        assert np.linalg.norm(obj.grad(m)) < 1e-12
        assert float(obj.value(m)) == pytest.approx(obj.min_value, abs=1e-15)
        assert np.linalg.eigvalsh(obj.hessian(m)).min() > 0
        assert all(lo <= x <= hi for x, (lo, hi) in zip(m, obj.bounds, strict=True))
    # no random point in the window is lower than f*
    pts = random_points(obj, 2000, seed=13)
    assert float(obj.value(pts).min()) >= obj.min_value - 1e-12


def test_saddle_nd_unbounded_is_the_indefinite_quadratic() -> None:
    obj = saddle_nd(1, 2, negative=3.0, positive=(1.0, 2.0), bounded=False)
    assert obj.minima == () and obj.min_value is None
    pts = random_points(obj, 20, seed=14)
    expected = 0.5 * (-3.0 * pts[:, 0] ** 2 + pts[:, 1] ** 2 + 2.0 * pts[:, 2] ** 2)
    np.testing.assert_allclose(obj.value(pts), expected, rtol=1e-14, atol=1e-15)
    # k = m = 1, mu = lambda = 2: the book's saddle with the axes swapped
    small = saddle_nd(1, 1, negative=2.0, positive=2.0, bounded=False)
    pts2 = random_points(small, 20, seed=15)
    np.testing.assert_allclose(small.value(pts2), saddle().value(pts2[:, ::-1]), rtol=1e-14)


def test_saddle_nd_gradient_descent_escapes_at_the_predicted_speed() -> None:
    # u_t = (1 + eta mu) u_{t-1} while u is small: escape time ln(r/u0)/ln(1 + eta mu)
    obj = saddle_nd(1, 9, negative=1.0, positive=1.0)
    th, eta, t = obj.start.copy(), 0.1, 0
    while abs(th[0]) < 0.1:
        th -= eta * obj.grad(th)
        t += 1
    predicted = math.log(0.1 / 1e-3) / math.log(1 + eta)
    assert abs(t - predicted) <= 2
    # and then it settles in a minimum
    for _ in range(500):
        th -= eta * obj.grad(th)
    assert float(obj.value(th)) == pytest.approx(obj.min_value, abs=1e-10)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_negative": 0}, "n_negative"),
        ({"n_negative": 1.5}, "n_negative"),
        ({"n_positive": 0}, "n_positive"),
        ({"n_negative": 11}, "n_negative"),
        ({"negative": -1.0}, "negative"),
        ({"negative": (1.0, 2.0)}, "negative"),
        ({"positive": np.nan}, "positive"),
        ({"n_positive": 2, "positive": (1.0, 2.0, 3.0)}, "positive"),
    ],
)
def test_saddle_nd_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        saddle_nd(**kwargs)


def test_saddle_nd_many_descending_directions_when_unbounded() -> None:
    obj = saddle_nd(50, 50, bounded=False)
    assert obj.dim == 100 and obj.minima == ()
    assert int(np.sum(np.linalg.eigvalsh(obj.hessian(np.zeros(100))) < 0)) == 50


def test_monkey_saddle_is_a_degenerate_saddle_with_a_plateau() -> None:
    obj = monkey_saddle()
    origin = np.zeros(2)
    np.testing.assert_array_equal(obj.grad(origin), [0.0, 0.0])
    np.testing.assert_array_equal(obj.hessian(origin), np.zeros((2, 2)))
    assert obj.minima == () and obj.min_value is None
    # |grad f| = 3 r^2 on every circle
    for r in (0.1, 0.7):
        phis = np.linspace(0, 2 * np.pi, 17)
        pts = r * np.stack([np.cos(phis), np.sin(phis)], axis=-1)
        np.testing.assert_allclose(np.linalg.norm(obj.grad(pts), axis=-1), 3 * r * r)
    # f < 0 along the three valleys at 180 and +-60 degrees
    for deg in (180, 60, -60):
        a = math.radians(deg)
        assert float(obj.value(np.array([math.cos(a), math.sin(a)]))) == pytest.approx(-1.0)


@pytest.mark.parametrize("delta", [1e-2, 1e-3])
def test_monkey_saddle_escape_time_is_about_one_over_three_eta_delta(delta: float) -> None:
    obj = monkey_saddle()
    th, eta, t = np.array([-delta, 0.0]), 0.1, 0
    while abs(th[0]) < 1.0:
        th -= eta * obj.grad(th)
        t += 1
    # x_t = x_{t-1} - 3 eta x^2: 1/|x| drops by about 3 eta per step, from 1/delta to 1
    predicted = (1 / delta - 1) / (3 * eta)
    assert abs(t - predicted) / predicted < 0.05


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"negative": 1 + 1j}, "negative"),  # was TypeError
        ({"positive": np.array([1.0 + 0j])}, "positive"),  # was a ComplexWarning
        ({"negative": "a"}, "negative"),  # was numpy's 'could not convert string'
        ({"bounded": "no"}, "bounded"),  # a truthy string used to mean True
        ({"n_negative": 1, "n_positive": 1, "start": [np.nan, 1.0]}, "start"),
        ({"n_negative": 1, "n_positive": 1, "start": [1j, 1.0]}, "start"),
    ],
)
def test_saddle_nd_rejects_more_bad_input_without_warnings(kwargs: dict, match: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"\b{match}\b"):
            saddle_nd(**kwargs)
