r"""The book's test problems: 2-D surfaces with analytic gradients and Hessians.

Every surface is an :class:`Objective`. Its methods take ``theta`` of shape
``(..., d)`` and broadcast over the leading axes, so one call evaluates a whole
grid (``(ny, nx, 2)`` for a contour plot) or a whole trajectory (``(k, 2)``):

- ``value(theta)`` (also ``obj(theta)``) has shape ``(...)``;
- ``grad(theta)`` has shape ``(..., d)``;
- ``hessian(theta)`` has shape ``(..., d, d)``.

A float32 ``theta`` is evaluated in float32 (so a chapter can show float32
round-off); integers are converted to float64.

The standard surfaces (``STANDARD_SURFACES``):

======================================  ==========================================  ============
factory                                 :math:`f(x, y)`                             minimiser
======================================  ==========================================  ============
:func:`ill_conditioned_quadratic`       :math:`x^2/20 + y^2`                        (0, 0)
:func:`rosenbrock`                      :math:`(1-x)^2 + 100(y-x^2)^2`              (1, 1)
:func:`beale`                           sum of three squares, see :func:`beale`     (3, 0.5)
:func:`saddle`                          :math:`x^2 - y^2`                           none
:func:`himmelblau`                      :math:`(x^2+y-11)^2 + (x+y^2-7)^2`          four points
======================================  ==========================================  ============

and :func:`quadratic` builds any :math:`\tfrac12\theta^\top A\theta`. For saddle points
beyond two dimensions, :func:`saddle_nd` builds a strict saddle with ``k`` of
``d`` directions descending (bounded below by quartic terms), and
:func:`monkey_saddle` is a degenerate saddle surrounded by a plateau. The online
problems of Reddi, Kale & Kumar (2018) are :class:`OnlineProblem` instances
made by :func:`reddi_problem` and :func:`reddi_synthetic`; their stochastic
version, a :class:`StochasticOnlineProblem`, by :func:`reddi_stochastic`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

ArrayFn = Callable[[np.ndarray], np.ndarray]

__all__ = [
    "STANDARD_SURFACES",
    "Objective",
    "OnlineProblem",
    "Quadratic",
    "StochasticOnlineProblem",
    "beale",
    "himmelblau",
    "ill_conditioned_quadratic",
    "monkey_saddle",
    "quadratic",
    "quadratic_matrix",
    "reddi_problem",
    "reddi_stochastic",
    "reddi_synthetic",
    "rosenbrock",
    "saddle",
    "saddle_nd",
]


def _as_theta(theta: object, dim: int, name: str) -> np.ndarray:
    """``theta`` as a floating array whose last axis has length ``dim``."""
    arr = np.asarray(theta)
    if arr.dtype.kind != "f":
        if arr.dtype.kind not in "iub":
            raise ValueError(f"theta must be an array of real numbers, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(
            f"theta must have shape (..., {dim}) for the {dim}-dimensional objective "
            f"{name!r} (last axis = the {dim} coordinates), got shape {arr.shape}"
        )
    return arr


@dataclass(frozen=True, eq=False, kw_only=True)
class Objective:
    r"""A differentiable test function :math:`f:\mathbb R^d \to \mathbb R`.

    Fields
    ------
    name:
        human-readable name for titles (``"Rosenbrock"``).
    dim:
        the dimension :math:`d`.
    minima:
        the known minimisers, each an array of shape ``(d,)`` (empty if there is
        no minimum, as for the saddle).
    min_value:
        :math:`f^* = \min f`, or ``None`` if ``f`` is unbounded below.
    start:
        the book's usual start point, shape ``(d,)``.
    bounds:
        the plot window, one ``(low, high)`` pair per coordinate.
    log_contours:
        whether contour plots should use log-spaced levels (for surfaces whose
        values span many decades, like Rosenbrock and Beale).
    formula:
        the formula in matplotlib mathtext, for titles (may be empty).
    fn, grad_fn, hessian_fn:
        the implementation: each receives a validated float array of shape
        ``(..., d)``. ``hessian_fn`` may be ``None``.

    A chapter may build its own objective, e.g.
    ``Objective(name="f", dim=1, minima=(np.zeros(1),), min_value=0.0,
    start=np.ones(1), bounds=((-2, 2),), log_contours=False,
    fn=lambda th: th[..., 0] ** 4, grad_fn=lambda th: 4 * th**3)``.
    """

    name: str
    dim: int
    minima: tuple[np.ndarray, ...]
    min_value: float | None
    start: np.ndarray
    bounds: tuple[tuple[float, float], ...]
    log_contours: bool = False
    formula: str = ""
    fn: ArrayFn = field(repr=False)
    grad_fn: ArrayFn = field(repr=False)
    hessian_fn: ArrayFn | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.dim, int | np.integer) or self.dim < 1:
            raise ValueError(f"dim must be a positive integer, got {self.dim!r}")
        start = np.array(self.start, dtype=np.float64).reshape(-1)
        if start.shape != (self.dim,):
            raise ValueError(f"start must have shape ({self.dim},), got {np.shape(self.start)}")
        start.setflags(write=False)
        minima = []
        for m in self.minima:
            m = np.array(m, dtype=np.float64).reshape(-1)
            if m.shape != (self.dim,):
                raise ValueError(f"each minimum must have shape ({self.dim},), got {m.shape}")
            m.setflags(write=False)
            minima.append(m)
        bounds = tuple((float(lo), float(hi)) for lo, hi in self.bounds)
        if len(bounds) != self.dim or any(not lo < hi for lo, hi in bounds):
            raise ValueError(
                f"bounds must be {self.dim} pairs (low, high) with low < high, got {self.bounds}"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "minima", tuple(minima))
        object.__setattr__(self, "bounds", bounds)
        if self.min_value is not None:
            object.__setattr__(self, "min_value", float(self.min_value))

    def value(self, theta: np.ndarray) -> np.ndarray:
        """:math:`f(\\theta)`; ``theta`` of shape ``(..., d)`` gives shape ``(...)``."""
        return np.asarray(self.fn(_as_theta(theta, self.dim, self.name)))

    __call__ = value

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """:math:`\\nabla f(\\theta)`, shape ``(..., d)``."""
        return np.asarray(self.grad_fn(_as_theta(theta, self.dim, self.name)))

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """:math:`\\nabla^2 f(\\theta)`, shape ``(..., d, d)``."""
        if self.hessian_fn is None:
            raise NotImplementedError(f"{self.name!r} has no analytic Hessian")
        return np.asarray(self.hessian_fn(_as_theta(theta, self.dim, self.name)))

    @property
    def extent(self) -> tuple[float, ...]:
        """``bounds`` flattened, ``(x_low, x_high, y_low, y_high, ...)`` (for ``imshow``)."""
        return tuple(v for pair in self.bounds for v in pair)


def _stack2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(..., 2)`` array of the components ``a`` and ``b`` (broadcast)."""
    a, b = np.asarray(a), np.asarray(b)
    out = np.empty(np.broadcast_shapes(a.shape, b.shape) + (2,), np.result_type(a, b))
    out[..., 0] = a
    out[..., 1] = b
    return out


def _mat2(fxx: np.ndarray, fxy: np.ndarray, fyy: np.ndarray) -> np.ndarray:
    """``(..., 2, 2)`` symmetric matrices from their three distinct entries."""
    fxx, fxy, fyy = np.asarray(fxx), np.asarray(fxy), np.asarray(fyy)
    shape = np.broadcast_shapes(fxx.shape, fxy.shape, fyy.shape)
    out = np.empty(shape + (2, 2), np.result_type(fxx, fxy, fyy))
    out[..., 0, 0] = fxx
    out[..., 0, 1] = fxy
    out[..., 1, 0] = fxy
    out[..., 1, 1] = fyy
    return out


# ---------------------------------------------------------------------------
# quadratics
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, kw_only=True)
class Quadratic(Objective):
    r"""The quadratic :math:`f(\theta) = \tfrac12 \theta^\top A \theta`.

    :math:`A = Q\,\mathrm{diag}(\lambda)\,Q^\top`.

    Extra fields: ``A`` (the symmetric positive definite matrix, read-only),
    ``eigenvalues`` (:math:`\lambda_i` in the order given) and ``Q`` (the
    orthogonal matrix whose column ``i`` is the eigenvector of
    :math:`\lambda_i`). Gradient :math:`A\theta`, Hessian :math:`A`, minimum 0 at 0.
    """

    A: np.ndarray = field(repr=False)
    eigenvalues: np.ndarray
    Q: np.ndarray = field(repr=False)

    @property
    def condition_number(self) -> float:
        r""":math:`\kappa = \lambda_{\max} / \lambda_{\min}`."""
        return float(self.eigenvalues.max() / self.eigenvalues.min())

    @property
    def lambda_max(self) -> float:
        r"""Largest eigenvalue; gradient descent is stable iff :math:`\eta < 2/\lambda_{\max}`."""
        return float(self.eigenvalues.max())

    @property
    def lambda_min(self) -> float:
        r""":math:`\lambda_{\min}`."""
        return float(self.eigenvalues.min())


def _random_orthogonal(d: int, seed: int) -> np.ndarray:
    """A Haar-random orthogonal matrix: QR of a seeded Gaussian, signs fixed."""
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def quadratic(
    eigenvalues: Sequence[float],
    angle: float = 0.0,
    *,
    seed: int | None = None,
    start: Sequence[float] | None = None,
    bounds: Sequence[tuple[float, float]] | None = None,
    name: str | None = None,
) -> Quadratic:
    r"""The quadratic :math:`f(\theta) = \tfrac12\theta^\top A\theta`.

    Here :math:`A = Q\,\mathrm{diag}(\lambda)\,Q^\top`.

    Gradient :math:`\nabla f = A\theta`, Hessian :math:`A`, unique minimiser
    :math:`\theta^* = 0` with :math:`f^* = 0`. Gradient descent on it is stable
    iff :math:`\eta < 2/\lambda_{\max}` and converges at the rate
    :math:`\max_i |1 - \eta\lambda_i|` per step.

    Parameters
    ----------
    eigenvalues:
        the :math:`d` eigenvalues :math:`\lambda_i`; all must be finite and
        **strictly positive** (a minimum exists). Negative or zero eigenvalues
        raise ``ValueError``: for an indefinite surface use :func:`saddle`, or
        build an :class:`Objective` yourself.
    angle:
        for :math:`d = 2`, :math:`Q` is the rotation by ``angle`` radians,
        so the eigenvector of :math:`\lambda_1` is :math:`(\cos\alpha, \sin\alpha)`.
        Must be 0 for :math:`d \ne 2`.
    seed:
        for any :math:`d`, draw :math:`Q` at random instead: the Q factor of the
        QR decomposition of a :math:`d\times d` standard Gaussian matrix from
        ``numpy.random.default_rng(seed)``, column signs fixed so that it is
        uniformly (Haar) distributed. Cannot be combined with a nonzero angle.
        Without ``angle`` and ``seed``, :math:`Q = I` (axis-aligned).
    start:
        default: for :math:`d = 2`, :math:`Q(-7, 2)` -- the start of the
        ill-conditioned quadratic, rotated with the surface; otherwise
        :math:`Q\mathbf 1`.
    bounds:
        default: 1.1 times the box around the sublevel set
        :math:`\{f \le f(\text{start})\}`, i.e.
        :math:`\pm 1.1\sqrt{2 f(\text{start}) (A^{-1})_{ii}}`, which holds every
        iterate of a method that never increases :math:`f`.
    name:
        default ``"quadratic"``.
    """
    lam = np.array(eigenvalues, dtype=np.float64).reshape(-1)
    d = lam.size
    if d == 0:
        raise ValueError("eigenvalues must not be empty")
    if not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(
            f"eigenvalues must be finite and > 0 (a minimum must exist), got {lam.tolist()}; "
            "use saddle() or build an Objective for an indefinite quadratic"
        )
    angle = float(angle)
    if angle != 0.0 and seed is not None:
        raise ValueError("give either angle (d = 2) or seed (random rotation), not both")
    if angle != 0.0 and d != 2:
        raise ValueError(f"angle is defined only for d = 2, got d = {d}; use seed instead")
    if seed is not None:
        q = _random_orthogonal(d, seed)
    elif d == 2:
        c, s = math.cos(angle), math.sin(angle)
        q = np.array([[c, -s], [s, c]])
    else:
        q = np.eye(d)
    a = (q * lam) @ q.T
    a = 0.5 * (a + a.T)  # exactly symmetric
    for arr in (a, lam, q):
        arr.setflags(write=False)

    if start is None:
        start_arr = q @ (np.array([-7.0, 2.0]) if d == 2 else np.ones(d))
    else:
        start_arr = np.array(start, dtype=np.float64).reshape(-1)
    if bounds is None:
        f0 = 0.5 * start_arr @ a @ start_arr
        half = 1.1 * np.sqrt(2 * max(f0, 1e-12) * np.diag(np.linalg.inv(a)))
        bounds = tuple((-float(h), float(h)) for h in half)

    def fn(th: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("...i,ij,...j->...", th, a.astype(th.dtype), th)

    def grad_fn(th: np.ndarray) -> np.ndarray:
        return th @ a.astype(th.dtype)  # A is symmetric: (A θ)ᵀ = θᵀ A

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a.astype(th.dtype), th.shape[:-1] + (d, d)).copy()

    if d == 2 and angle == 0.0 and seed is None:
        formula = rf"$\frac{{1}}{{2}}({lam[0]:g}\,x^2 + {lam[1]:g}\,y^2)$"
    else:
        formula = r"$\frac{1}{2}\theta^\top A\,\theta$"
    return Quadratic(
        name=name or "quadratic",
        dim=d,
        minima=(np.zeros(d),),
        min_value=0.0,
        start=start_arr,
        bounds=bounds,
        log_contours=False,
        formula=formula,
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
        A=a,
        eigenvalues=lam,
        Q=q,
    )


def quadratic_matrix(objective: Objective) -> np.ndarray:
    """The matrix :math:`A` of a quadratic objective (``ValueError`` for other objectives)."""
    if not isinstance(objective, Quadratic):
        raise ValueError(f"objective must be a Quadratic, got {type(objective).__name__}")
    return objective.A


def ill_conditioned_quadratic() -> Quadratic:
    r"""The ravine :math:`f(x, y) = x^2/20 + y^2`.

    It is :func:`quadratic` with eigenvalues :math:`(1/10, 2)`: the Hessian is
    :math:`\mathrm{diag}(1/10, 2)`, the condition number is
    :math:`\kappa = 20`, and gradient descent is stable iff
    :math:`\eta < 2/\lambda_{\max} = 1`. Minimum :math:`f(0, 0) = 0`; start
    :math:`(-7, 2)`; window :math:`[-8, 8]\times[-3, 3]`.
    """
    obj = quadratic(
        (0.1, 2.0),
        start=(-7.0, 2.0),
        bounds=((-8.0, 8.0), (-3.0, 3.0)),
        name="ill-conditioned quadratic",
    )
    return _replace(obj, formula=r"$x^2/20 + y^2$")


def _replace(obj: Objective, **changes: object) -> Objective:
    return dataclasses.replace(obj, **changes)


# ---------------------------------------------------------------------------
# Rosenbrock, Beale, saddle, Himmelblau
# ---------------------------------------------------------------------------
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    r"""Rosenbrock's banana valley (Rosenbrock, 1960).

    .. math::

        f(x, y) = (a - x)^2 + b\,(y - x^2)^2,

    with gradient :math:`(-2(a-x) - 4bx(y-x^2),\ 2b(y-x^2))` and Hessian
    :math:`\begin{pmatrix} 2 - 4b(y - x^2) + 8bx^2 & -4bx\\ -4bx & 2b\end{pmatrix}`.
    Unique minimum :math:`f(a, a^2) = 0` at the end of a curved, flat-bottomed
    valley. Classic start :math:`(-1.2, 1)`; window :math:`[-2, 2]\times[-1, 3]`
    (widened to contain the minimum for other ``a``); log-spaced contours.
    ``b`` must be > 0.
    """
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        raise ValueError(f"rosenbrock needs finite a and b > 0, got a={a!r}, b={b!r}")

    def fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad_fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        r = y - x * x
        return _stack2(-2 * (a - x) - 4 * b * x * r, 2 * b * r)

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        return _mat2(2 - 4 * b * (y - x * x) + 8 * b * x * x, -4 * b * x, 2 * b + 0 * x)

    xlo, xhi = min(-2.0, a - 1.0), max(2.0, a + 1.0)
    ylo, yhi = min(-1.0, a * a - 2.0), max(3.0, a * a + 2.0)
    formula = (
        r"$(1-x)^2 + 100\,(y-x^2)^2$"
        if (a, b) == (1.0, 100.0)
        else rf"$({a:g}-x)^2 + {b:g}\,(y-x^2)^2$"
    )
    return Objective(
        name="Rosenbrock",
        dim=2,
        minima=(np.array([a, a * a]),),
        min_value=0.0,
        start=np.array([-1.2, 1.0]),
        bounds=((xlo, xhi), (ylo, yhi)),
        log_contours=True,
        formula=formula,
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Objective:
    r"""Beale's function (Beale, 1958).

    .. math::

        f(x, y) = \sum_{i=1}^{3} u_i^2,\qquad u_i = c_i - x + x y^i,\quad
        (c_1, c_2, c_3) = (1.5,\ 2.25,\ 2.625),

    so :math:`\nabla f = 2\sum_i u_i \nabla u_i` with
    :math:`\nabla u_i = (y^i - 1,\ i x y^{i-1})` and
    :math:`\nabla^2 f = 2\sum_i (\nabla u_i \nabla u_i^\top + u_i \nabla^2 u_i)`,
    :math:`\nabla^2 u_i = \begin{pmatrix}0 & i y^{i-1}\\ i y^{i-1} & i(i-1) x y^{i-2}\end{pmatrix}`.
    Unique minimum :math:`f(3, 0.5) = 0` (all :math:`u_i = 0`). Window
    :math:`[-4.5, 4.5]^2`, log-spaced contours.

    The book's start is :math:`(3, 4)` (SOURCES.md). It is a *hard* start: the
    loss there is about :math:`3.9\times10^4` and the gradient norm about
    :math:`5.9\times10^4`, so plain gradient descent needs
    :math:`\eta \lesssim 10^{-5}` to survive its first steps, while Adam's
    normalised steps are of size about η from the start. Pass another ``start``
    to :func:`optbook.run.run` for a gentler experiment.
    """

    def parts(th: np.ndarray):
        x, y = th[..., 0], th[..., 1]
        us, dxs, dys = [], [], []
        for i, c in enumerate(_BEALE_C, start=1):
            us.append(c - x + x * y**i)
            dxs.append(y**i - 1)
            dys.append(i * x * y ** (i - 1))
        return x, y, us, dxs, dys

    def fn(th: np.ndarray) -> np.ndarray:
        _, _, us, _, _ = parts(th)
        return us[0] ** 2 + us[1] ** 2 + us[2] ** 2

    def grad_fn(th: np.ndarray) -> np.ndarray:
        _, _, us, dxs, dys = parts(th)
        gx = 2 * sum(u * dx for u, dx in zip(us, dxs, strict=True))
        gy = 2 * sum(u * dy for u, dy in zip(us, dys, strict=True))
        return _stack2(gx, gy)

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        x, y, us, dxs, dys = parts(th)
        fxx = 2 * sum(dx * dx for dx in dxs)
        fxy = 2 * sum(dx * dy for dx, dy in zip(dxs, dys, strict=True))
        fyy = 2 * sum(dy * dy for dy in dys)
        # second derivatives of u_i: u_xy = i y^(i-1), u_yy = i (i-1) x y^(i-2)
        fxy = fxy + 2 * (us[0] * 1 + us[1] * 2 * y + us[2] * 3 * y * y)
        fyy = fyy + 2 * (us[1] * 2 * x + us[2] * 6 * x * y)
        return _mat2(fxx, fxy, fyy)

    return Objective(
        name="Beale",
        dim=2,
        minima=(np.array([3.0, 0.5]),),
        min_value=0.0,
        start=np.array([3.0, 4.0]),
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        log_contours=True,
        formula=r"$\sum_{i=1}^3 (c_i - x + x y^i)^2$",
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


def saddle() -> Objective:
    r"""The saddle :math:`f(x, y) = x^2 - y^2`.

    Gradient :math:`(2x, -2y)`, Hessian :math:`\mathrm{diag}(2, -2)`. The origin
    is a stationary point that is not a minimum, and :math:`f` is unbounded
    below, so ``minima = ()`` and ``min_value = None``.

    Start :math:`(1, 10^{-3})`: *just off* the line :math:`y = 0`. From a
    start exactly on it, gradient descent converges to the saddle point; from
    :math:`y_0 = 10^{-3}` it escapes, because
    :math:`y_t = (1 + 2\eta)^t y_0`, after about
    :math:`\ln(10^3)/\ln(1 + 2\eta)` steps (38 steps for :math:`\eta = 0.1`),
    while :math:`x_t = (1 - 2\eta)^t x_0` shrinks. The offset is too small to
    see on the plot. Window :math:`[-1.5, 1.5]^2`; linear contours.
    """

    def fn(th: np.ndarray) -> np.ndarray:
        return th[..., 0] ** 2 - th[..., 1] ** 2

    def grad_fn(th: np.ndarray) -> np.ndarray:
        return _stack2(2 * th[..., 0], -2 * th[..., 1])

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        z = np.zeros_like(th[..., 0])
        return _mat2(z + 2, z, z - 2)

    return Objective(
        name="saddle",
        dim=2,
        minima=(),
        min_value=None,
        start=np.array([1.0, 1e-3]),
        bounds=((-1.5, 1.5), (-1.5, 1.5)),
        log_contours=False,
        formula=r"$x^2 - y^2$",
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


#: The four minimisers of Himmelblau's function (f = 0), found by Newton's
#: method from the rounded values in the literature; ``tests/test_functions.py``
#: checks that the gradient vanishes there.
HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.2831859912861696),
    (3.5844283403304917, -1.8481265269644034),
)
#: Its one local maximum, f ≈ 181.617.
HIMMELBLAU_MAXIMUM = (-0.2708445906673476, -0.9230385564799815)


def himmelblau() -> Objective:
    r"""Himmelblau's function (Himmelblau, 1972).

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2,

    gradient :math:`(4xa + 2b,\ 2a + 4yb)` with :math:`a = x^2 + y - 11`,
    :math:`b = x + y^2 - 7`, Hessian
    :math:`\begin{pmatrix}4a + 8x^2 + 2 & 4(x + y)\\ 4(x + y) & 4b + 8y^2 + 2\end{pmatrix}`.
    Four minima with :math:`f = 0` (``HIMMELBLAU_MINIMA``: (3, 2) and three
    irrational ones), a local maximum near (−0.27, −0.92) and four saddles:
    which minimum a method finds depends on the method and the start.
    Start :math:`(0, 0)` (reaches (3, 2) under small-step gradient descent);
    window :math:`[-5, 5]^2`; log-spaced contours.
    """

    def fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad_fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        a, b = x * x + y - 11, x + y * y - 7
        return _stack2(4 * x * a + 2 * b, 2 * a + 4 * y * b)

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        a, b = x * x + y - 11, x + y * y - 7
        return _mat2(4 * a + 8 * x * x + 2, 4 * (x + y), 4 * b + 8 * y * y + 2)

    return Objective(
        name="Himmelblau",
        dim=2,
        minima=tuple(np.array(m) for m in HIMMELBLAU_MINIMA),
        min_value=0.0,
        start=np.array([0.0, 0.0]),
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        log_contours=True,
        formula=r"$(x^2+y-11)^2 + (x+y^2-7)^2$",
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


#: The book's standard 2-D surfaces: name -> factory (call it to get the Objective).
STANDARD_SURFACES: dict[str, Callable[[], Objective]] = {
    "ill_conditioned_quadratic": ill_conditioned_quadratic,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "saddle": saddle,
    "himmelblau": himmelblau,
}


# ---------------------------------------------------------------------------
# saddles in many dimensions, and a degenerate saddle (a plateau)
# ---------------------------------------------------------------------------
#: The most negative directions :func:`saddle_nd` accepts: it lists all
#: 2**n_negative minima.
SADDLE_ND_MAX_NEGATIVE = 10


def _curvatures(value: float | Sequence[float], n: int, name: str) -> np.ndarray:
    """``value`` as ``n`` finite positive curvatures (a scalar is repeated)."""
    raw = np.asarray(value)
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be one number or {n} real numbers, got {value!r}")
    arr = raw.astype(np.float64).reshape(-1)
    if arr.size == 1:
        arr = np.full(n, float(arr[0]))
    if arr.size != n:
        raise ValueError(f"{name} must be one number or {n} numbers, got {arr.size}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0 (a curvature size), got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


def saddle_nd(
    n_negative: int = 1,
    n_positive: int = 9,
    *,
    negative: float | Sequence[float] = 1.0,
    positive: float | Sequence[float] = 1.0,
    bounded: bool = True,
    start: Sequence[float] | None = None,
) -> Objective:
    r"""A strict saddle in :math:`d = k + m` dimensions, ``k`` of them descending.

    With :math:`u = (\theta_1, \dots, \theta_k)` the ``n_negative`` = k
    *descending* coordinates and :math:`v = (\theta_{k+1}, \dots, \theta_d)`
    the ``n_positive`` = m *ascending* ones,

    .. math::

        f(\theta) = \sum_{i=1}^{k} \Big(\frac{u_i^4}{4} - \frac{\mu_i}{2} u_i^2\Big)
                    + \frac12 \sum_{j=1}^{m} \lambda_j v_j^2 ,

    gradient :math:`(u_i^3 - \mu_i u_i,\ \lambda_j v_j)` and diagonal Hessian
    :math:`\mathrm{diag}(3u_i^2 - \mu_i,\ \lambda_j)`. The origin is a
    stationary point with Hessian :math:`\mathrm{diag}(-\mu, \lambda)`: a
    *strict* saddle (some eigenvalue < 0) whose fraction of descending
    directions is :math:`k/d`. Near it, :math:`f` is the indefinite quadratic
    :math:`\tfrac12\sum_i \lambda_i\theta_i^2` with eigenvalues
    :math:`(-\mu_1, \dots, -\mu_k, \lambda_1, \dots, \lambda_m)`; gradient
    descent there multiplies :math:`u_i` by :math:`1 + \eta\mu_i` per step.
    The quartic terms make :math:`f` bounded below, with :math:`2^k` minima
    :math:`u_i = \pm\sqrt{\mu_i}`, :math:`v = 0` and
    :math:`f^* = -\sum_i \mu_i^2/4`. With ``bounded=False`` they are left
    out: :math:`f` is the indefinite quadratic itself, unbounded below, with
    no minima.

    Parameters
    ----------
    n_negative, n_positive:
        k ≥ 1 (at most ``SADDLE_ND_MAX_NEGATIVE`` = 10, since the minima are
        listed) and m ≥ 1.
    negative:
        :math:`\mu`, the size of the negative curvatures at the saddle: one
        number or k numbers, each > 0 (default 1).
    positive:
        :math:`\lambda`, the positive curvatures: one number or m numbers,
        each > 0 (default 1).
    bounded:
        add the quartic terms (default) or not.
    start:
        default :math:`u = 10^{-3}`, :math:`v = 1`: just off the saddle's
        stable subspace :math:`u = 0`, as :func:`saddle` starts just off
        :math:`y = 0`.

    The window is :math:`\pm 1.5\max(1, \sqrt{\mu_{\max}})` in every
    coordinate. For k = m = 1 and ``bounded=False`` the function is
    :math:`\tfrac12(\lambda y^2 - \mu x^2)`: :func:`saddle` (μ = λ = 2) with
    the axes swapped.
    """
    for name, n, low in (("n_negative", n_negative, 1), ("n_positive", n_positive, 1)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {n!r}")
    k, m = int(n_negative), int(n_positive)
    if bounded and k > SADDLE_ND_MAX_NEGATIVE:
        raise ValueError(
            f"n_negative must be <= {SADDLE_ND_MAX_NEGATIVE} when bounded (the 2**n_negative "
            f"minima are listed), got {k}"
        )
    mu = _curvatures(negative, k, "negative")
    lam = _curvatures(positive, m, "positive")
    if not isinstance(bounded, bool | np.bool_):
        raise ValueError(f"bounded must be True or False, got {bounded!r}")
    if start is not None:
        raw = np.asarray(start)
        if raw.dtype.kind not in "biuf" or not np.all(np.isfinite(raw)):
            raise ValueError(f"start must be {k + m} finite real numbers, got {start!r}")
    d = k + m
    half = 1.5 * max(1.0, float(np.sqrt(mu.max())))

    def fn(th: np.ndarray) -> np.ndarray:
        u, v = th[..., :k], th[..., k:]
        down = -0.5 * u * u * mu.astype(th.dtype)
        if bounded:
            down = down + 0.25 * u**4
        return down.sum(axis=-1) + 0.5 * (v * v * lam.astype(th.dtype)).sum(axis=-1)

    def grad_fn(th: np.ndarray) -> np.ndarray:
        u, v = th[..., :k], th[..., k:]
        gu = -mu.astype(th.dtype) * u
        if bounded:
            gu = gu + u**3
        return np.concatenate([gu, lam.astype(th.dtype) * v], axis=-1)

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        u = th[..., :k]
        hu = np.broadcast_to(-mu.astype(th.dtype), u.shape)
        if bounded:
            hu = hu + 3 * u * u
        hv = np.broadcast_to(lam.astype(th.dtype), th.shape[:-1] + (m,))
        diag = np.concatenate([hu, hv], axis=-1)
        out = np.zeros(th.shape + (d,), dtype=th.dtype)
        idx = np.arange(d)
        out[..., idx, idx] = diag
        return out

    if bounded:
        signs = np.array(np.meshgrid(*([(-1.0, 1.0)] * k), indexing="ij")).reshape(k, -1).T
        minima = tuple(np.concatenate([s * np.sqrt(mu), np.zeros(m)]) for s in signs)
        min_value: float | None = -float(np.sum(mu**2)) / 4
        formula = (r"$\sum_{i\leq k}(\frac{u_i^4}{4} - \frac{\mu_i}{2}u_i^2)"
                   r" + \frac{1}{2}\sum_j \lambda_j v_j^2$")
    else:
        minima, min_value = (), None
        formula = r"$\frac{1}{2}(\sum_j \lambda_j v_j^2 - \sum_{i \leq k} \mu_i u_i^2)$"
    start_arr = (np.concatenate([np.full(k, 1e-3), np.ones(m)]) if start is None
                 else np.array(start, dtype=np.float64).reshape(-1))
    return Objective(
        name=f"saddle ({k} of {d} directions descending)",
        dim=d,
        minima=minima,
        min_value=min_value,
        start=start_arr,
        bounds=((-half, half),) * d,
        log_contours=False,
        formula=formula,
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


def monkey_saddle() -> Objective:
    r"""The monkey saddle :math:`f(x, y) = x^3 - 3xy^2`: a degenerate saddle, a plateau.

    Gradient :math:`(3x^2 - 3y^2,\ -6xy)`, Hessian
    :math:`\begin{pmatrix}6x & -6y\\ -6y & -6x\end{pmatrix}`. At the origin
    the gradient *and* the Hessian vanish: :math:`\lVert\nabla f\rVert = 3r^2`
    at distance :math:`r`, so the region around the saddle is a plateau, and
    the second-order test cannot tell that it is not a minimum. Three valleys
    (:math:`f < 0`) leave it, in the directions 180° and ±60°. Unbounded
    below: ``minima = ()``, ``min_value = None``.

    On the ray :math:`y = 0`, :math:`x < 0`, gradient descent reads
    :math:`x_t = x_{t-1} - 3\eta x_{t-1}^2`, so from :math:`x_0 = -\delta` it
    needs about :math:`1/(3\eta\delta)` steps to leave the plateau, against
    :math:`\ln(1/\delta)/\ln(1 + 2\eta)` for the strict saddle
    :func:`saddle`. Start :math:`(-0.01, 0)`; window :math:`[-1.5, 1.5]^2`.
    """

    def fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        return x**3 - 3 * x * y * y

    def grad_fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        return _stack2(3 * x * x - 3 * y * y, -6 * x * y)

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        x, y = th[..., 0], th[..., 1]
        return _mat2(6 * x, -6 * y, -6 * x)

    return Objective(
        name="monkey saddle",
        dim=2,
        minima=(),
        min_value=None,
        start=np.array([-0.01, 0.0]),
        bounds=((-1.5, 1.5), (-1.5, 1.5)),
        log_contours=False,
        formula=r"$x^3 - 3xy^2$",
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


# ---------------------------------------------------------------------------
# Reddi et al.'s online problems
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class OnlineProblem:
    r"""A periodic online linear problem on an interval (Reddi, Kale & Kumar, 2018).

    At step :math:`t = 1, 2, \dots` the loss is

    .. math::

        f_t(x) = \begin{cases} \text{big}\cdot x & t \bmod \text{period} = 1\\
        -\text{small}\cdot x & \text{otherwise}\end{cases}
        \qquad x \in [\text{lower}, \text{upper}],

    so over one period the losses sum to
    :math:`(\text{big} - (\text{period}-1)\,\text{small})\,x`. When that
    coefficient is positive, the best fixed point is ``lower`` (= −1).

    Regret after :math:`T` steps: :math:`R_T = \sum_{t\le T} f_t(x_t) -
    \min_{x} \sum_{t\le T} f_t(x)`; the minimum of a linear function on the
    interval is at an end point, so it is computed exactly for every :math:`T`
    (not only for whole periods). A method "converges" in the online sense
    when :math:`R_T/T \to 0`.
    """

    name: str
    period: int
    big: float
    small: float
    lower: float = -1.0
    upper: float = 1.0
    start: float = 0.0

    def __post_init__(self) -> None:
        if self.period < 2:
            raise ValueError(f"period must be >= 2, got {self.period}")
        if not self.lower < self.upper:
            raise ValueError(f"need lower < upper, got [{self.lower}, {self.upper}]")

    @property
    def dim(self) -> int:
        """Always 1: the problem is one-dimensional."""
        return 1

    @property
    def period_coefficient(self) -> float:
        """The sum of the slopes over one period, big − (period − 1)·small."""
        return self.big - (self.period - 1) * self.small

    @property
    def mean_coefficient(self) -> float:
        """The long-run mean slope per step, ``period_coefficient / period``."""
        return self.period_coefficient / self.period

    @property
    def best(self) -> float:
        """The best fixed point in the long run: ``lower`` if the mean slope is ≥ 0, else upper."""
        return self.lower if self.mean_coefficient >= 0 else self.upper

    def coefficient(self, t: int | np.ndarray) -> np.ndarray:
        r"""The slope :math:`c_t` of :math:`f_t(x) = c_t x` (t starts at 1)."""
        t = np.asarray(t)
        if np.any(t < 1):
            raise ValueError("t starts at 1")
        return np.where(t % self.period == 1, self.big, -self.small)

    def value(self, x: float | np.ndarray, t: int | np.ndarray) -> np.ndarray:
        r""":math:`f_t(x) = c_t x`."""
        return self.coefficient(t) * np.asarray(x)

    def grad(self, x: float | np.ndarray, t: int | np.ndarray) -> np.ndarray:
        r""":math:`f_t'(x) = c_t` (the same shape as ``x``)."""
        x = np.asarray(x)
        return np.broadcast_to(self.coefficient(t), np.broadcast_shapes(x.shape, np.shape(t)))

    def project(self, x: float | np.ndarray) -> np.ndarray:
        """Euclidean projection onto the interval: ``clip(x, lower, upper)``."""
        return np.clip(x, self.lower, self.upper)

    def regret(self, xs: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Cumulative regret :math:`R_T` for :math:`T = 1..n`, where ``xs[t-1]`` is :math:`x_t`."""
        xs = np.asarray(xs, dtype=np.float64).reshape(-1)
        t = np.arange(1, xs.size + 1)
        c = self.coefficient(t).astype(np.float64)
        incurred = np.cumsum(c * xs)
        s = np.cumsum(c)  # sum_{t<=T} f_t(x) = s_T x, minimised at an end point
        best = np.minimum(s * self.lower, s * self.upper)
        return incurred - best

    def average_regret(self, xs: Sequence[float] | np.ndarray) -> np.ndarray:
        r""":math:`R_T / T` for :math:`T = 1..n`."""
        r = self.regret(xs)
        return r / np.arange(1, r.size + 1)


def reddi_problem(C: float = 3.0) -> OnlineProblem:
    r"""The counterexample to Adam's convergence (Reddi, Kale & Kumar, 2018, §3).

    On :math:`x\in[-1, 1]`,

    .. math::

        f_t(x) = \begin{cases} C x & t \bmod 3 = 1\\ -x & \text{otherwise}\end{cases}

    with :math:`t = 1, 2, \dots`. Over one period the losses sum to
    :math:`(C - 2)x`, so for :math:`C > 2` the best point is :math:`x = -1`. With
    :math:`\beta_1 = 0`, :math:`\beta_2 = 1/(1 + C^2)` and step
    :math:`\alpha/\sqrt t`, Adam without bias correction (projected onto the
    interval) drifts to :math:`x = +1` -- the worst point -- and its average
    regret does not vanish, while AMSGrad goes to −1.

    ``C`` must be > 0 (``ValueError`` otherwise). The counterexample needs
    :math:`C > 2`; for :math:`0 < C \le 2` the problem is still valid, but +1
    (or any point, for :math:`C = 2`) is then optimal. Start :math:`x_1 = 0`.
    """
    C = float(C)
    if not math.isfinite(C) or C <= 0:
        raise ValueError(f"C must be finite and > 0 (the counterexample needs C > 2), got {C!r}")
    return OnlineProblem(name=f"Reddi et al. (C = {C:g})", period=3, big=C, small=1.0)


def reddi_synthetic() -> OnlineProblem:
    r"""Reddi et al.'s (2018, §5) synthetic experiment.

    On :math:`x\in[-1, 1]`, :math:`f_t(x) = 1010x` when :math:`t \bmod 101 = 1`
    and :math:`-10x` otherwise. Over one period the losses sum to
    :math:`(1010 - 100\cdot 10)x = 10x`, so the best point is :math:`x = -1`.
    The paper runs Adam and AMSGrad with :math:`\beta_1 = 0.9`,
    :math:`\beta_2 = 0.99`; Adam converges to +1.
    """
    return OnlineProblem(name="Reddi et al. synthetic", period=101, big=1010.0, small=10.0)


#: number of steps whose random slopes one generator call draws (see StochasticOnlineProblem)
_STOCHASTIC_BLOCK = 4096


@dataclass(frozen=True)
class StochasticOnlineProblem(OnlineProblem):
    r"""An online linear problem with random slopes (Reddi, Kale & Kumar, 2018, §5).

    At step :math:`t` the loss is :math:`f_t(x) = \text{big}\cdot x` with
    probability ``probability`` (:math:`p`) and :math:`-\text{small}\cdot x`
    otherwise, independently over :math:`t`, on :math:`[\text{lower},
    \text{upper}]`. The expected loss is :math:`F(x) = \bar c\, x` with
    :math:`\bar c = p\,\text{big} - (1-p)\,\text{small}`
    (:attr:`mean_coefficient`); for :math:`\bar c > 0` its minimiser is ``lower``.

    The draws are reproducible and do not depend on the order in which steps
    are asked for: the slopes of steps :math:`4096k+1, \dots, 4096(k+1)` come from
    ``np.random.default_rng([seed, k])``. ``period`` plays no part in the slopes;
    it is kept (as the mean spacing :math:`1/p`, rounded) for display only.
    :meth:`regret` is the regret against the best fixed point of the realised
    sequence.
    """

    probability: float = 0.01
    seed: int = 0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        p = self.probability
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p < 1:
            raise ValueError(f"probability must be in (0, 1), got {p!r}")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")

    @property
    def mean_coefficient(self) -> float:
        r"""The expected slope :math:`p\,\text{big} - (1-p)\,\text{small}`."""
        return self.probability * self.big - (1 - self.probability) * self.small

    @property
    def period_coefficient(self) -> float:
        """The expected sum of the slopes over ``period`` steps."""
        return self.mean_coefficient * self.period

    def _uniforms(self, block: int) -> np.ndarray:
        u = self._cache.get(block)
        if u is None:
            u = np.random.default_rng([int(self.seed), int(block)]).random(_STOCHASTIC_BLOCK)
            self._cache[block] = u
        return u

    def coefficient(self, t: int | np.ndarray) -> np.ndarray:
        r"""The slope :math:`c_t` of :math:`f_t(x) = c_t x` (t starts at 1), a seeded draw."""
        t = np.asarray(t)
        if np.any(t < 1):
            raise ValueError("t starts at 1")
        idx = t.astype(np.int64) - 1
        blocks, offsets = np.divmod(idx, _STOCHASTIC_BLOCK)
        u = np.empty(idx.shape)
        for b in np.unique(blocks):
            sel = blocks == b
            u[sel] = self._uniforms(int(b))[offsets[sel]]
        return np.where(u < self.probability, self.big, -self.small)


def reddi_stochastic(
    seed: int = 0, probability: float = 0.01, big: float = 1010.0, small: float = 10.0
) -> StochasticOnlineProblem:
    r"""The stochastic form of Reddi et al.'s (2018, §5) synthetic experiment.

    On :math:`x\in[-1, 1]`, :math:`f_t(x) = 1010x` with probability 0.01 and
    :math:`-10x` otherwise. The expected loss is
    :math:`F(x) = (0.01\cdot 1010 - 0.99\cdot 10)\,x = 0.2x`, minimised at
    :math:`x = -1`. It is an instance of the construction of their Theorem 3
    (slope :math:`C` with probability :math:`(1+\delta)/(C+1)`, else −1) with
    :math:`C = 101`, :math:`\delta = 0.02`, scaled by 10. Seeded by ``seed``.
    """
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        raise ValueError(f"probability must be in (0, 1), got {probability!r}")
    for name, value in (("big", big), ("small", small)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value > 0
        ):
            raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    period = max(2, round(1 / probability)) if 0 < probability < 1 else 2
    return StochasticOnlineProblem(
        name=f"Reddi et al. stochastic (p = {probability:g})",
        period=period,
        big=float(big),
        small=float(small),
        probability=probability,
        seed=seed,
    )
