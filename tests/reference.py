"""Independent float64 reference implementations of the book's update rules.

Every function here is written from the papers' equations (and, for the
PyTorch variants, from the rule that ``torch.optim`` documents), in the most
literal form: one Python statement per equation, whole arrays, no in-place
tricks, no chunking, bias corrections computed as the explicit quantities
m̂ and v̂. They are deliberately slow and obvious; they are not derived from
``optbook``'s code.

All references share one signature::

    trajectory = xxx_reference(theta0, grad, steps, **hyperparameters)

- ``theta0``: the starting point (any shape; copied to float64);
- ``grad(theta, t)``: the gradient at ``theta`` for step ``t = 1, 2, ...``.
  It is called exactly once per step, in order. A fixed sequence of
  gradients is ``grad_sequence(seq)``, which ignores ``theta``;
- ``steps``: the number of steps;
- the result has shape ``(steps + 1, *theta0.shape)``: row 0 is θ₀, row t is θ_t.

A learning rate (and AdamW's schedule multiplier) may be a number or a
function ``t -> value``, so that schedules can be checked too.

Division convention. With ε = 0 some rules divide 0 by 0 in a coordinate whose
gradients have all been zero so far. The rule is then undefined; the book (and
optbook) take the step there as 0. :func:`safe_div` does exactly that and
*raises* if a non-zero numerator meets a zero denominator, which no rule of
the book produces when its decay rates are > 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from optbook import optimizers as ob

Grad = Callable[[np.ndarray, int], np.ndarray]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def grad_sequence(seq: Sequence[np.ndarray] | np.ndarray) -> Grad:
    """A gradient "function" that returns ``seq[t - 1]`` whatever ``theta`` is."""
    seq = [np.asarray(g, dtype=np.float64) for g in seq]
    return lambda theta, t: seq[t - 1]


def safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` element-wise, with 0/0 := 0; a non-zero over 0 raises."""
    num, den = np.broadcast_arrays(np.asarray(num, dtype=np.float64),
                                   np.asarray(den, dtype=np.float64))
    zero = den == 0
    if np.any(num[zero] != 0):
        raise ZeroDivisionError("the rule is undefined: a non-zero numerator over a zero "
                                "denominator")
    out = np.zeros(num.shape)
    np.divide(num, den, out=out, where=~zero)
    return out


def _value(x: float | Callable[[int], float], t: int) -> float:
    return float(x(t)) if callable(x) else float(x)


def _start(theta0) -> tuple[np.ndarray, list[np.ndarray]]:
    theta = np.array(theta0, dtype=np.float64, copy=True)
    return theta, [theta.copy()]


def _zeros(theta: np.ndarray) -> np.ndarray:
    return np.zeros(theta.shape, dtype=np.float64)


# --------------------------------------------------------------------------
# SGD, momentum, Nesterov
# --------------------------------------------------------------------------
def sgd_reference(theta0, grad: Grad, steps: int, *, lr) -> np.ndarray:
    """θ_t = θ_{t−1} − η g_t   (Ruder 2016, eq. 1-3)."""
    theta, traj = _start(theta0)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        theta = theta - _value(lr, t) * g
        traj.append(theta)
    return np.array(traj)


def momentum_reference(theta0, grad: Grad, steps: int, *, lr, momentum,
                       lr_in_velocity: bool = True) -> np.ndarray:
    """Heavy ball.

    Ruder (eq. 5): v_t = γ v_{t−1} + η g_t, θ_t = θ_{t−1} − v_t.
    PyTorch (``lr_in_velocity=False``): b_t = γ b_{t−1} + g_t, θ_t = θ_{t−1} − η b_t.
    """
    theta, traj = _start(theta0)
    v = _zeros(theta)  # Ruder's v, or PyTorch's b
    for t in range(1, steps + 1):
        g = grad(theta, t)
        eta = _value(lr, t)
        if lr_in_velocity:
            v = momentum * v + eta * g
            theta = theta - v
        else:
            v = momentum * v + g
            theta = theta - eta * v
        traj.append(theta)
    return np.array(traj)


def nesterov_ruder_reference(theta0, grad: Grad, steps: int, *, lr, momentum,
                             return_lookahead: bool = True) -> np.ndarray:
    """NAG in Ruder's ORIGINAL form (eq. 6), the gradient taken at the look-ahead point.

        v_t = γ v_{t−1} + η ∇f(θ_{t−1} − γ v_{t−1}),   θ_t = θ_{t−1} − v_t.

    optbook stores the look-ahead point φ_t = θ_t − γ v_t as its parameters, so
    by default this returns φ_t (φ_0 = θ_0); ``return_lookahead=False`` returns θ_t.
    """
    theta = np.array(theta0, dtype=np.float64, copy=True)
    v = _zeros(theta)
    traj = [theta - momentum * v if return_lookahead else theta.copy()]
    for t in range(1, steps + 1):
        g = grad(theta - momentum * v, t)
        v = momentum * v + _value(lr, t) * g
        theta = theta - v
        traj.append(theta - momentum * v if return_lookahead else theta)
    return np.array(traj)


def nesterov_pytorch_reference(theta0, grad: Grad, steps: int, *, lr, momentum) -> np.ndarray:
    """``torch.optim.SGD(nesterov=True)``: on the iterate φ (the look-ahead point),

        g_t = ∇f(φ_{t−1}),  b_t = γ b_{t−1} + g_t,  φ_t = φ_{t−1} − η (g_t + γ b_t).
    """
    phi, traj = _start(theta0)
    b = _zeros(phi)
    for t in range(1, steps + 1):
        g = grad(phi, t)
        b = momentum * b + g
        phi = phi - _value(lr, t) * (g + momentum * b)
        traj.append(phi)
    return np.array(traj)


# --------------------------------------------------------------------------
# Adagrad, Adadelta, RMSprop
# --------------------------------------------------------------------------
def adagrad_reference(theta0, grad: Grad, steps: int, *, lr, eps,
                      eps_inside_sqrt: bool = True) -> np.ndarray:
    """Duchi et al. (2011), diagonal; Ruder eq. 8 with the factor g_t restored.

        G_t = G_{t−1} + g_t²,
        θ_t = θ_{t−1} − η / √(G_t + ε) · g_t          (Ruder)
        θ_t = θ_{t−1} − η g_t / (√G_t + ε)             (PyTorch)
    """
    theta, traj = _start(theta0)
    G = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        G = G + g**2
        eta = _value(lr, t)
        if eps_inside_sqrt:
            theta = theta - safe_div(eta * g, np.sqrt(G + eps))
        else:
            theta = theta - safe_div(eta * g, np.sqrt(G) + eps)
        traj.append(theta)
    return np.array(traj)


def adadelta_reference(theta0, grad: Grad, steps: int, *, lr, rho, eps) -> np.ndarray:
    """Zeiler (2012), Algorithm 1, with an outer multiplier η (η = 1 is Zeiler's rule).

        E[g²]_t  = ρ E[g²]_{t−1} + (1 − ρ) g_t²
        Δx_t     = − RMS[Δx]_{t−1} / RMS[g]_t · g_t,   RMS[y] = √(E[y²] + ε)
        E[Δx²]_t = ρ E[Δx²]_{t−1} + (1 − ρ) Δx_t²
        x_t      = x_{t−1} + η Δx_t
    """
    theta, traj = _start(theta0)
    Eg2 = _zeros(theta)
    Edx2 = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        Eg2 = rho * Eg2 + (1 - rho) * g**2
        rms_dx_prev = np.sqrt(Edx2 + eps)
        rms_g = np.sqrt(Eg2 + eps)
        dx = -safe_div(rms_dx_prev * g, rms_g)
        Edx2 = rho * Edx2 + (1 - rho) * dx**2
        theta = theta + _value(lr, t) * dx
        traj.append(theta)
    return np.array(traj)


def rmsprop_reference(theta0, grad: Grad, steps: int, *, lr, rho, eps,
                      eps_inside_sqrt: bool = True) -> np.ndarray:
    """Tieleman & Hinton (2012); Ruder eq. 15 with E[g²]_{t−1} on the right.

        E[g²]_t = ρ E[g²]_{t−1} + (1 − ρ) g_t²
        θ_t = θ_{t−1} − η / √(E[g²]_t + ε) · g_t       (Ruder)
        θ_t = θ_{t−1} − η g_t / (√E[g²]_t + ε)          (PyTorch)
    """
    theta, traj = _start(theta0)
    Eg2 = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        Eg2 = rho * Eg2 + (1 - rho) * g**2
        eta = _value(lr, t)
        if eps_inside_sqrt:
            theta = theta - safe_div(eta * g, np.sqrt(Eg2 + eps))
        else:
            theta = theta - safe_div(eta * g, np.sqrt(Eg2) + eps)
        traj.append(theta)
    return np.array(traj)


# --------------------------------------------------------------------------
# Adam and its family
# --------------------------------------------------------------------------
def adam_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2, eps,
                   bias_correction: str = "moments") -> np.ndarray:
    """Kingma & Ba (2015).

    - ``"moments"``, Algorithm 1: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
      θ_t = θ_{t−1} − η m̂ / (√v̂ + ε);
    - ``"step_size"``, end of §2: η_t = η √(1−β₂ᵗ)/(1−β₁ᵗ),
      θ_t = θ_{t−1} − η_t m / (√v + ε);
    - ``"none"``: θ_t = θ_{t−1} − η m / (√v + ε).
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    v = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        eta = _value(lr, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if bias_correction == "moments":
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            theta = theta - eta * safe_div(m_hat, np.sqrt(v_hat) + eps)
        elif bias_correction == "step_size":
            eta_t = eta * math.sqrt(1 - beta2**t) / (1 - beta1**t)
            theta = theta - eta_t * safe_div(m, np.sqrt(v) + eps)
        elif bias_correction == "none":
            theta = theta - eta * safe_div(m, np.sqrt(v) + eps)
        else:
            raise ValueError(bias_correction)
        traj.append(theta)
    return np.array(traj)


def adamax_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2, eps=0.0,
                     eps_inside_max: bool = False) -> np.ndarray:
    """Kingma & Ba (2015), Algorithm 2.

        m_t = β₁ m_{t−1} + (1 − β₁) g_t
        u_t = max(β₂ u_{t−1}, |g_t|)                   (paper; ε = 0)
        u_t = max(β₂ u_{t−1}, |g_t| + ε)               (PyTorch, ``eps_inside_max``)
        θ_t = θ_{t−1} − (η / (1 − β₁ᵗ)) · m_t / u_t      (+ ε to u_t if not inside)
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    u = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        m = beta1 * m + (1 - beta1) * g
        if eps_inside_max:
            u = np.maximum(beta2 * u, np.abs(g) + eps)
            ratio = safe_div(m, u)
        else:
            u = np.maximum(beta2 * u, np.abs(g))
            ratio = safe_div(m, u + eps)
        theta = theta - (_value(lr, t) / (1 - beta1**t)) * ratio
        traj.append(theta)
    return np.array(traj)


def nadam_ruder_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2,
                          eps) -> np.ndarray:
    """Ruder (2016), eq. 32 (with v̂_t in the denominator):

        θ_t = θ_{t−1} − η / (√v̂_t + ε) · (β₁ m̂_t + (1 − β₁) g_t / (1 − β₁ᵗ)).
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    v = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        numerator = beta1 * m_hat + (1 - beta1) * g / (1 - beta1**t)
        theta = theta - _value(lr, t) * safe_div(numerator, np.sqrt(v_hat) + eps)
        traj.append(theta)
    return np.array(traj)


def dozat_mu(t: int, beta1: float, momentum_decay: float) -> float:
    """Dozat's momentum schedule as in ``torch.optim.NAdam``: μ_t = β₁ (1 − ½ · 0.96^{tψ})."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))


def nadam_schedule_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2, eps,
                             momentum_decay) -> np.ndarray:
    """Dozat (2016) with the momentum schedule, as ``torch.optim.NAdam`` implements it.

        μ_t = β₁(1 − ½ 0.96^{tψ}),   m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v̂_t = v_t/(1 − β₂ᵗ)
        θ_t = θ_{t−1} − η/(√v̂_t + ε) · ( (1 − μ_t) g_t / (1 − Π_{i≤t} μ_i)
                                        + μ_{t+1} m_t / (1 − Π_{i≤t+1} μ_i) )
    The products are recomputed from scratch every step.
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    v = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_hat = v / (1 - beta2**t)
        mus = [dozat_mu(i, beta1, momentum_decay) for i in range(1, t + 2)]
        prod_t = math.prod(mus[:t])
        prod_next = math.prod(mus[: t + 1])
        mu_t, mu_next = mus[t - 1], mus[t]
        numerator = (1 - mu_t) * g / (1 - prod_t) + mu_next * m / (1 - prod_next)
        theta = theta - _value(lr, t) * safe_div(numerator, np.sqrt(v_hat) + eps)
        traj.append(theta)
    return np.array(traj)


def amsgrad_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2, eps,
                      bias_correction: bool = False) -> np.ndarray:
    """AMSGrad.

    Reddi et al. (2018), Algorithm 2 with a constant step (and ε):
        v̂_t = max(v̂_{t−1}, v_t),   θ_t = θ_{t−1} − η m_t / (√v̂_t + ε).
    PyTorch's ``Adam(amsgrad=True)`` (``bias_correction=True``):
        v_max,t = max(v_max,t−1, v_t),
        θ_t = θ_{t−1} − η (m_t/(1 − β₁ᵗ)) / (√(v_max,t / (1 − β₂ᵗ)) + ε).
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    v = _zeros(theta)
    v_max = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        eta = _value(lr, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = np.maximum(v_max, v)
        if bias_correction:
            m_hat = m / (1 - beta1**t)
            theta = theta - eta * safe_div(m_hat, np.sqrt(v_max / (1 - beta2**t)) + eps)
        else:
            theta = theta - eta * safe_div(m, np.sqrt(v_max) + eps)
        traj.append(theta)
    return np.array(traj)


def adamw_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2, eps, weight_decay,
                    schedule_multiplier=1.0, decay_scaled_by_lr: bool = False) -> np.ndarray:
    """AdamW.

    Loshchilov & Hutter (2019), Algorithm 2 (α = ``lr``, η_t = ``schedule_multiplier``):
        θ_t = θ_{t−1} − η_t (α m̂_t / (√v̂_t + ε) + λ θ_{t−1}).
    PyTorch's ``AdamW`` (``decay_scaled_by_lr=True``), with its lr = η_t α:
        θ ← θ (1 − lr λ), then θ ← θ − lr m̂_t / (√v̂_t + ε).
    ``grad`` is the gradient of the loss alone (no λθ in it).
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    v = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        alpha, eta_t = _value(lr, t), _value(schedule_multiplier, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        adam_direction = safe_div(m_hat, np.sqrt(v_hat) + eps)
        if decay_scaled_by_lr:
            torch_lr = eta_t * alpha
            theta = theta * (1 - torch_lr * weight_decay)
            theta = theta - torch_lr * adam_direction
        else:
            theta = theta - eta_t * (alpha * adam_direction + weight_decay * theta)
        traj.append(theta)
    return np.array(traj)


def qhadam_reference(theta0, grad: Grad, steps: int, *, lr, beta1, beta2, nu1, nu2,
                     eps) -> np.ndarray:
    """Ma & Yarats (2019):

        θ_t = θ_{t−1} − η ((1 − ν₁) g_t + ν₁ m̂_t) / (√((1 − ν₂) g_t² + ν₂ v̂_t) + ε).
    """
    theta, traj = _start(theta0)
    m = _zeros(theta)
    v = _zeros(theta)
    for t in range(1, steps + 1):
        g = grad(theta, t)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        numerator = (1 - nu1) * g + nu1 * m_hat
        denominator = np.sqrt((1 - nu2) * g**2 + nu2 * v_hat) + eps
        theta = theta - _value(lr, t) * safe_div(numerator, denominator)
        traj.append(theta)
    return np.array(traj)


def aggmo_reference(theta0, grad: Grad, steps: int, *, lr, betas) -> np.ndarray:
    """Lucas et al. (2019), eq. 2:

        v⁽ⁱ⁾_t = β⁽ⁱ⁾ v⁽ⁱ⁾_{t−1} − g_t  (i = 1..K),   θ_t = θ_{t−1} + (η/K) Σᵢ v⁽ⁱ⁾_t.
    """
    theta, traj = _start(theta0)
    velocities = [_zeros(theta) for _ in betas]
    for t in range(1, steps + 1):
        g = grad(theta, t)
        for i, beta in enumerate(betas):
            velocities[i] = beta * velocities[i] - g
        total = _zeros(theta)
        for v in velocities:
            total = total + v
        theta = theta + (_value(lr, t) / len(betas)) * total
        traj.append(theta)
    return np.array(traj)


# --------------------------------------------------------------------------
# gradient noise
# --------------------------------------------------------------------------
def gradient_noise_reference(inner: Callable[..., np.ndarray], theta0, grad: Grad, steps: int,
                             *, eta, gamma, seed, shapes: Sequence[tuple[int, ...]],
                             **inner_hyperparameters) -> np.ndarray:
    """Neelakantan et al. (2015): g̃_t = g_t + n_t, n_t ~ N(0, σ_t² I), σ_t² = η/(1 + t)^γ.

    ``inner`` is the reference of the wrapped optimizer. The noise is the
    documented stream of ``numpy.random.default_rng(seed)``: each step draws one
    standard normal array per parameter array, in order (``shapes``), and the
    flat parameter vector is their concatenation.
    """
    rng = np.random.default_rng(seed)
    expected_t = [1]

    def noisy_grad(theta, t):
        assert t == expected_t[0], "the inner reference must ask for each step once, in order"
        expected_t[0] += 1
        sigma = math.sqrt(eta / (1 + t) ** gamma)
        noise = np.concatenate([rng.standard_normal(shape).ravel() for shape in shapes])
        return grad(theta, t) + sigma * noise.reshape(np.shape(theta))

    return inner(theta0, noisy_grad, steps, **inner_hyperparameters)


# --------------------------------------------------------------------------
# closed forms used by the property tests
# --------------------------------------------------------------------------
def adam_ratio_bound(t: int, beta1: float, beta2: float) -> float:
    """The exact maximum of |m̂_t / √v̂_t| over all gradient sequences g_1..g_t (ε = 0, β₂ > 0).

    m̂_t = Σ wᵢ gᵢ and v̂_t = Σ uᵢ gᵢ² with wᵢ = (1−β₁)β₁^{t−i}/(1−β₁ᵗ) and
    uᵢ = (1−β₂)β₂^{t−i}/(1−β₂ᵗ). By Cauchy-Schwarz |Σ wᵢgᵢ| ≤ √(Σ wᵢ²/uᵢ)·√(Σ uᵢgᵢ²),
    with equality for gᵢ ∝ wᵢ/uᵢ ∝ (β₁/β₂)^{t−i}, so the bound is

        √( (1−β₁)² (1−β₂ᵗ) / ((1−β₂)(1−β₁ᵗ)²) · Σ_{k=0}^{t−1} (β₁²/β₂)^k ).
    """
    r = beta1**2 / beta2
    series = sum(r**k for k in range(t))
    return math.sqrt((1 - beta1) ** 2 * (1 - beta2**t) / ((1 - beta2) * (1 - beta1**t) ** 2)
                     * series)


# ==========================================================================
# Test harness (not references): layouts, problems, the package runner and
# the table of every optimizer x option tested against its reference.
# ==========================================================================
#: how a flat vector of 7 numbers is cut into the package's params structures
LAYOUTS: dict[str, object] = {
    "array": None,                              # one ndarray of shape (7,)
    "list": [(3,), (2, 2)],                     # a list of two arrays
    "dict": {"w": (2, 2), "b": (3,)},           # a dict of two arrays
}
DIM = 7


def layout_shapes(layout: str) -> list[tuple[int, ...]]:
    """The shapes of the arrays of ``layout``, in the order the package sees them."""
    spec = LAYOUTS[layout]
    if spec is None:
        return [(DIM,)]
    return list(spec.values()) if isinstance(spec, dict) else list(spec)


def split(flat: np.ndarray, layout: str, dtype=np.float64):
    """Fresh arrays in ``layout``'s structure holding the values of ``flat``."""
    flat = np.asarray(flat)
    spec = LAYOUTS[layout]
    if spec is None:
        return flat.astype(dtype, copy=True)
    shapes = layout_shapes(layout)
    pieces, start = [], 0
    for shape in shapes:
        n = math.prod(shape)
        pieces.append(flat[start:start + n].reshape(shape).astype(dtype, copy=True))
        start += n
    if isinstance(spec, dict):
        return dict(zip(spec, pieces, strict=True))
    return pieces


def flatten(params, layout: str) -> np.ndarray:
    """The flat float64 vector of ``params`` (a copy)."""
    spec = LAYOUTS[layout]
    if spec is None:
        return np.array(params, dtype=np.float64)
    arrays = [params[k] for k in spec] if isinstance(spec, dict) else params
    return np.concatenate([np.ravel(a) for a in arrays]).astype(np.float64)


def run_package(opt, theta0, grad: Grad, steps: int, layout: str = "array",
                dtype=np.float64, before_step=None) -> np.ndarray:
    """Drive ``opt`` like the references: the trajectory of the flat parameter vector.

    ``before_step(opt, t)`` may change hyperparameters (schedules) before step t.
    """
    params = split(theta0, layout, dtype)
    traj = [flatten(params, layout)]
    for t in range(1, steps + 1):
        g = grad(flatten(params, layout), t)
        if before_step is not None:
            before_step(opt, t)
        opt.step(params, split(g, layout, dtype))
        traj.append(flatten(params, layout))
    return np.array(traj)


def quadratic_problem(seed: int, steps: int = 400, noise: float = 0.3):
    """A random convex quadratic ½θᵀAθ − bᵀθ in 7 dimensions with noisy gradients.

    Some gradient entries are exactly zero: coordinate 6 for the first 10 steps
    (its optimizer state stays 0, so ε = 0 meets 0/0), coordinate 2 every fifth
    step and every coordinate at step 17. Returns ``(theta0, grad)``.
    """
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(DIM, DIM)))
    A = Q @ np.diag(rng.uniform(0.5, 4.0, DIM)) @ Q.T
    b = rng.normal(size=DIM)
    xi = noise * rng.normal(size=(steps, DIM))
    theta0 = 2.0 * rng.normal(size=DIM)

    def grad(theta, t):
        g = A @ theta - b + xi[t - 1]
        g[_zero_mask(t)] = 0.0
        return g

    return theta0, grad


def sequence_problem(seed: int, steps: int = 400):
    """Gradients that do not depend on θ: per-coordinate scales from 1e-3 to 1e3, with zeros."""
    rng = np.random.default_rng(seed)
    scales = np.array([1e-3, 1e-1, 1.0, 10.0, 1e3, 1.0, 0.5])
    seq = scales * rng.normal(size=(steps, DIM))
    for t in range(1, steps + 1):
        seq[t - 1, _zero_mask(t)] = 0.0
    theta0 = rng.normal(size=DIM)
    return theta0, grad_sequence(seq)


def _zero_mask(t: int) -> np.ndarray:
    mask = np.zeros(DIM, dtype=bool)
    if t <= 10:
        mask[6] = True
    if t % 5 == 0:
        mask[2] = True
    if t == 17:
        mask[:] = True
    return mask


PROBLEMS = {"quadratic": quadratic_problem, "sequence": sequence_problem}


@dataclass(frozen=True)
class Case:
    """One optimizer with one set of options, and its reference with the same values.

    ``ref_kwargs`` spell out every hyperparameter, defaults included, as the
    papers and the docstrings state them: a wrong default in the package fails
    the comparison.
    """

    name: str
    cls: type
    kwargs: dict
    ref: Callable[..., np.ndarray]
    ref_kwargs: dict
    inner: Case | None = None  # GradientNoise: the wrapped optimizer's case
    tags: frozenset = field(default_factory=frozenset)

    def make(self, **override):
        kwargs = {**self.kwargs, **override}
        if self.inner is None:
            return self.cls(**kwargs)
        return self.cls(self.inner.make(), **kwargs)

    def reference(self, theta0, grad: Grad, steps: int, shapes=None) -> np.ndarray:
        if self.inner is None:
            return self.ref(theta0, grad, steps, **self.ref_kwargs)
        shapes = shapes if shapes is not None else [np.shape(theta0)]
        return gradient_noise_reference(self.inner.ref, theta0, grad, steps, shapes=shapes,
                                        **self.ref_kwargs, **self.inner.ref_kwargs)

    @property
    def eps_is_zero(self) -> bool:
        return self.ref_kwargs.get("eps", None) == 0


def _c(name, cls, kwargs, ref, *, tags=(), **ref_kwargs) -> Case:
    return Case(name, cls, kwargs, ref, ref_kwargs, tags=frozenset(tags))


_ADAM = dict(beta1=0.9, beta2=0.999)

CASES: list[Case] = [
    # --- SGD
    _c("SGD-default", ob.SGD, {}, sgd_reference, lr=0.01),
    _c("SGD-lr0.1", ob.SGD, dict(lr=0.1), sgd_reference, lr=0.1),
    # --- Momentum
    _c("Momentum-default", ob.Momentum, {}, momentum_reference,
       lr=0.01, momentum=0.9, lr_in_velocity=True),
    _c("Momentum-lr0.05-g0.5", ob.Momentum, dict(lr=0.05, momentum=0.5), momentum_reference,
       lr=0.05, momentum=0.5, lr_in_velocity=True),
    _c("Momentum-pytorch", ob.Momentum, dict(lr=0.03, lr_in_velocity=False), momentum_reference,
       lr=0.03, momentum=0.9, lr_in_velocity=False),
    _c("Momentum-g0", ob.Momentum, dict(lr=0.05, momentum=0.0), momentum_reference,
       lr=0.05, momentum=0.0, lr_in_velocity=True),
    # --- Nesterov: the package's iterate against Ruder's original form
    _c("Nesterov-default", ob.Nesterov, {}, nesterov_ruder_reference, lr=0.01, momentum=0.9),
    _c("Nesterov-lr0.02-g0.99", ob.Nesterov, dict(lr=0.02, momentum=0.99),
       nesterov_ruder_reference, lr=0.02, momentum=0.99),
    _c("Nesterov-pytorch", ob.Nesterov, dict(lr=0.03, lr_in_velocity=False),
       nesterov_pytorch_reference, lr=0.03, momentum=0.9),
    # with a constant η PyTorch's form is the same iteration as Ruder's original
    _c("Nesterov-pytorch-vs-ruder", ob.Nesterov, dict(lr=0.03, lr_in_velocity=False),
       nesterov_ruder_reference, lr=0.03, momentum=0.9),
    # --- Adagrad
    _c("Adagrad-default", ob.Adagrad, {}, adagrad_reference,
       lr=0.01, eps=1e-8, eps_inside_sqrt=True),
    _c("Adagrad-lr0.5", ob.Adagrad, dict(lr=0.5, eps=1e-3), adagrad_reference,
       lr=0.5, eps=1e-3, eps_inside_sqrt=True),
    _c("Adagrad-pytorch", ob.Adagrad, dict(lr=0.5, eps=1e-10, eps_inside_sqrt=False),
       adagrad_reference, lr=0.5, eps=1e-10, eps_inside_sqrt=False),
    _c("Adagrad-pytorch-eps1e-2", ob.Adagrad, dict(lr=0.5, eps=1e-2, eps_inside_sqrt=False),
       adagrad_reference, lr=0.5, eps=1e-2, eps_inside_sqrt=False),
    _c("Adagrad-eps0", ob.Adagrad, dict(lr=0.5, eps=0.0), adagrad_reference,
       lr=0.5, eps=0.0, eps_inside_sqrt=True),
    # --- Adadelta
    _c("Adadelta-default", ob.Adadelta, {}, adadelta_reference, lr=1.0, rho=0.95, eps=1e-6),
    _c("Adadelta-pytorch-defaults", ob.Adadelta, dict(rho=0.9), adadelta_reference,
       lr=1.0, rho=0.9, eps=1e-6),
    _c("Adadelta-lr0.5-eps1e-3", ob.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-3),
       adadelta_reference, lr=0.5, rho=0.8, eps=1e-3),
    _c("Adadelta-rho0", ob.Adadelta, dict(rho=0.0, eps=1e-4), adadelta_reference,
       lr=1.0, rho=0.0, eps=1e-4, tags={"chaotic"}),
    _c("Adadelta-eps0", ob.Adadelta, dict(eps=0.0), adadelta_reference,
       lr=1.0, rho=0.95, eps=0.0),
    # --- RMSprop
    _c("RMSprop-default", ob.RMSprop, {}, rmsprop_reference,
       lr=0.001, rho=0.9, eps=1e-8, eps_inside_sqrt=True),
    _c("RMSprop-lr0.01-rho0.5", ob.RMSprop, dict(lr=0.01, rho=0.5, eps=1e-4), rmsprop_reference,
       lr=0.01, rho=0.5, eps=1e-4, eps_inside_sqrt=True),
    _c("RMSprop-pytorch", ob.RMSprop, dict(lr=0.01, rho=0.99, eps_inside_sqrt=False),
       rmsprop_reference, lr=0.01, rho=0.99, eps=1e-8, eps_inside_sqrt=False),
    _c("RMSprop-pytorch-eps1e-2", ob.RMSprop, dict(lr=0.01, eps=1e-2, eps_inside_sqrt=False),
       rmsprop_reference, lr=0.01, rho=0.9, eps=1e-2, eps_inside_sqrt=False),
    _c("RMSprop-eps0", ob.RMSprop, dict(lr=0.01, eps=0.0), rmsprop_reference,
       lr=0.01, rho=0.9, eps=0.0, eps_inside_sqrt=True),
    # --- Adam: every bias correction mode
    *[
        case
        for mode in ("moments", "step_size", "none")
        for case in (
            _c(f"Adam-{mode}-default", ob.Adam, dict(bias_correction=mode), adam_reference,
               lr=0.001, **_ADAM, eps=1e-8, bias_correction=mode),
            _c(f"Adam-{mode}-lr0.05-b0.5-0.9", ob.Adam,
               dict(lr=0.05, beta1=0.5, beta2=0.9, bias_correction=mode), adam_reference,
               lr=0.05, beta1=0.5, beta2=0.9, eps=1e-8, bias_correction=mode),
            _c(f"Adam-{mode}-eps0", ob.Adam, dict(lr=0.02, eps=0.0, bias_correction=mode),
               adam_reference, lr=0.02, **_ADAM, eps=0.0, bias_correction=mode),
            # a large ε makes the modes visibly different
            _c(f"Adam-{mode}-eps0.1", ob.Adam, dict(lr=0.02, eps=0.1, bias_correction=mode),
               adam_reference, lr=0.02, **_ADAM, eps=0.1, bias_correction=mode),
            _c(f"Adam-{mode}-beta1_0", ob.Adam,
               dict(lr=0.02, beta1=0.0, beta2=0.99, bias_correction=mode), adam_reference,
               lr=0.02, beta1=0.0, beta2=0.99, eps=1e-8, bias_correction=mode),
        )
    ],
    # --- AdaMax
    _c("AdaMax-default", ob.AdaMax, {}, adamax_reference,
       lr=0.002, **_ADAM, eps=0.0, eps_inside_max=False),
    _c("AdaMax-lr0.05-b0.5-0.9", ob.AdaMax, dict(lr=0.05, beta1=0.5, beta2=0.9),
       adamax_reference, lr=0.05, beta1=0.5, beta2=0.9, eps=0.0, eps_inside_max=False),
    _c("AdaMax-eps-outside", ob.AdaMax, dict(lr=0.02, eps=0.1), adamax_reference,
       lr=0.02, **_ADAM, eps=0.1, eps_inside_max=False),
    _c("AdaMax-pytorch", ob.AdaMax, dict(lr=0.02, eps=1e-8, eps_inside_max=True),
       adamax_reference, lr=0.02, **_ADAM, eps=1e-8, eps_inside_max=True),
    _c("AdaMax-pytorch-eps0.1", ob.AdaMax, dict(lr=0.02, eps=0.1, eps_inside_max=True),
       adamax_reference, lr=0.02, **_ADAM, eps=0.1, eps_inside_max=True),
    _c("AdaMax-pytorch-eps0", ob.AdaMax, dict(lr=0.02, eps=0.0, eps_inside_max=True),
       adamax_reference, lr=0.02, **_ADAM, eps=0.0, eps_inside_max=True),
    # --- Nadam
    _c("Nadam-ruder-default", ob.Nadam, {}, nadam_ruder_reference,
       lr=0.002, **_ADAM, eps=1e-8),
    _c("Nadam-ruder-b0.99-eps0", ob.Nadam, dict(lr=0.02, beta1=0.99, beta2=0.99, eps=0.0),
       nadam_ruder_reference, lr=0.02, beta1=0.99, beta2=0.99, eps=0.0),
    _c("Nadam-ruder-psi-ignored", ob.Nadam, dict(lr=0.02, momentum_decay=0.5),
       nadam_ruder_reference, lr=0.02, **_ADAM, eps=1e-8),
    _c("Nadam-schedule-default", ob.Nadam, dict(momentum_schedule=True),
       nadam_schedule_reference, lr=0.002, **_ADAM, eps=1e-8, momentum_decay=0.004),
    _c("Nadam-schedule-psi0.04", ob.Nadam,
       dict(lr=0.02, beta1=0.95, beta2=0.99, eps=1e-3, momentum_schedule=True,
            momentum_decay=0.04),
       nadam_schedule_reference, lr=0.02, beta1=0.95, beta2=0.99, eps=1e-3,
       momentum_decay=0.04),
    _c("Nadam-schedule-psi0", ob.Nadam,
       dict(lr=0.02, eps=0.0, momentum_schedule=True, momentum_decay=0.0),
       nadam_schedule_reference, lr=0.02, **_ADAM, eps=0.0, momentum_decay=0.0),
    # --- AMSGrad
    _c("AMSGrad-reddi-default", ob.AMSGrad, {}, amsgrad_reference,
       lr=0.001, **_ADAM, eps=1e-8, bias_correction=False),
    _c("AMSGrad-reddi-b0.5-0.9-eps0", ob.AMSGrad,
       dict(lr=0.01, beta1=0.5, beta2=0.9, eps=0.0), amsgrad_reference,
       lr=0.01, beta1=0.5, beta2=0.9, eps=0.0, bias_correction=False),
    _c("AMSGrad-pytorch", ob.AMSGrad, dict(lr=0.02, bias_correction=True), amsgrad_reference,
       lr=0.02, **_ADAM, eps=1e-8, bias_correction=True),
    _c("AMSGrad-pytorch-eps0.1-b0.5-0.9", ob.AMSGrad,
       dict(lr=0.02, beta1=0.5, beta2=0.9, eps=0.1, bias_correction=True), amsgrad_reference,
       lr=0.02, beta1=0.5, beta2=0.9, eps=0.1, bias_correction=True),
    # --- AdamW
    _c("AdamW-paper-default", ob.AdamW, {}, adamw_reference,
       lr=0.001, **_ADAM, eps=1e-8, weight_decay=2.5e-4, schedule_multiplier=1.0,
       decay_scaled_by_lr=False),
    _c("AdamW-paper-wd0.1-eta0.5", ob.AdamW,
       dict(lr=0.02, weight_decay=0.1, schedule_multiplier=0.5), adamw_reference,
       lr=0.02, **_ADAM, eps=1e-8, weight_decay=0.1, schedule_multiplier=0.5,
       decay_scaled_by_lr=False),
    _c("AdamW-pytorch-wd0.01", ob.AdamW, dict(lr=0.02, weight_decay=0.01,
                                               decay_scaled_by_lr=True), adamw_reference,
       lr=0.02, **_ADAM, eps=1e-8, weight_decay=0.01, schedule_multiplier=1.0,
       decay_scaled_by_lr=True),
    _c("AdamW-pytorch-wd2-eta0.5-eps0", ob.AdamW,
       dict(lr=0.02, weight_decay=2.0, eps=0.0, schedule_multiplier=0.5,
            decay_scaled_by_lr=True), adamw_reference,
       lr=0.02, **_ADAM, eps=0.0, weight_decay=2.0, schedule_multiplier=0.5,
       decay_scaled_by_lr=True),
    _c("AdamW-wd0", ob.AdamW, dict(lr=0.02, weight_decay=0.0), adamw_reference,
       lr=0.02, **_ADAM, eps=1e-8, weight_decay=0.0, schedule_multiplier=1.0,
       decay_scaled_by_lr=False),
    # --- QHAdam
    _c("QHAdam-default", ob.QHAdam, {}, qhadam_reference,
       lr=0.001, beta1=0.995, beta2=0.999, nu1=0.7, nu2=1.0, eps=1e-8),
    _c("QHAdam-nu0.3-0.6-eps0", ob.QHAdam, dict(lr=0.02, nu1=0.3, nu2=0.6, eps=0.0),
       qhadam_reference, lr=0.02, beta1=0.995, beta2=0.999, nu1=0.3, nu2=0.6, eps=0.0),
    _c("QHAdam-nu0-1-rmsprop", ob.QHAdam, dict(lr=0.02, beta1=0.9, nu1=0.0, nu2=1.0),
       qhadam_reference, lr=0.02, beta1=0.9, beta2=0.999, nu1=0.0, nu2=1.0, eps=1e-8),
    _c("QHAdam-nu1-0", ob.QHAdam, dict(lr=0.02, beta1=0.9, beta2=0.99, nu1=1.0, nu2=0.0,
                                       eps=1e-3),
       qhadam_reference, lr=0.02, beta1=0.9, beta2=0.99, nu1=1.0, nu2=0.0, eps=1e-3),
    _c("QHAdam-nu1-1-adam", ob.QHAdam, dict(lr=0.02, beta1=0.9, nu1=1.0, nu2=1.0),
       qhadam_reference, lr=0.02, beta1=0.9, beta2=0.999, nu1=1.0, nu2=1.0, eps=1e-8),
    # --- AggMo
    _c("AggMo-default", ob.AggMo, {}, aggmo_reference, lr=0.01, betas=(0.0, 0.9, 0.99)),
    _c("AggMo-one-beta", ob.AggMo, dict(lr=0.03, betas=(0.5,)), aggmo_reference,
       lr=0.03, betas=(0.5,)),
    _c("AggMo-four-betas", ob.AggMo, dict(lr=0.005, betas=[0.9, 0.0, 0.99, 0.5]),
       aggmo_reference, lr=0.005, betas=(0.9, 0.0, 0.99, 0.5)),
]

_BY_NAME = {case.name: case for case in CASES}

#: GradientNoise wrapping a few of the cases above
NOISE_CASES: list[Case] = [
    Case("GradientNoise-default(Adam)", ob.GradientNoise, {}, gradient_noise_reference,
         dict(eta=0.01, gamma=0.55, seed=0), inner=_BY_NAME["Adam-moments-lr0.05-b0.5-0.9"]),
    Case("GradientNoise-eta0.3-seed7(Nesterov)", ob.GradientNoise,
         dict(eta=0.3, gamma=0.55, seed=7), gradient_noise_reference,
         dict(eta=0.3, gamma=0.55, seed=7), inner=_BY_NAME["Nesterov-lr0.02-g0.99"]),
    Case("GradientNoise-eta1-gamma0(SGD)", ob.GradientNoise,
         dict(eta=1.0, gamma=0.0, seed=3), gradient_noise_reference,
         dict(eta=1.0, gamma=0.0, seed=3), inner=_BY_NAME["SGD-lr0.1"]),
    Case("GradientNoise-eta0(AdaMax)", ob.GradientNoise, dict(eta=0.0, seed=5),
         gradient_noise_reference, dict(eta=0.0, gamma=0.55, seed=5),
         inner=_BY_NAME["AdaMax-pytorch"]),
]

ALL_CASES: list[Case] = CASES + NOISE_CASES
