"""The contract every optimizer of the book follows.

An optimizer holds hyperparameters, a step counter ``t`` (the number of steps
taken so far; the first step is ``t = 1``) and, for each parameter array, a few
state arrays of the same shape and dtype (moment estimates, accumulators).

``opt.step(params, grads)`` updates ``params`` **in place**. ``params`` is one
ndarray, a list of ndarrays or a dict of name -> ndarray; ``grads`` has the
same structure, the same shapes and the same dtypes.

Subclasses implement the update of one block of elements in ``_update``. All
the rules in the book are element-wise, so the base class feeds ``_update``
contiguous chunks of each array (views, not copies): the half-dozen NumPy passes
of an update then run while the chunk is still in the CPU cache, and one
scratch buffer of one chunk is all the temporary memory a step needs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

Params = np.ndarray | Sequence[np.ndarray] | Mapping[str, np.ndarray]

#: Number of elements processed per chunk. Measured with benchmarks/bench_step.py
#: on 10**6 and 10**7 float32 parameters: every optimizer gets faster from 2**12
#: up to 2**17-2**18 (the Python overhead per chunk shrinks while a chunk of a
#: few arrays still sits in the last-level cache) and slower at 2**20.
#: Chunking never changes the result: the rules are element-wise.
CHUNK = 2**18


# --------------------------------------------------------------------------
# hyperparameter checks: each raises ValueError naming the parameter and the
# allowed range
# --------------------------------------------------------------------------
def _as_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is > 0, else raise ``ValueError``."""
    value = _as_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is >= 0, else raise ``ValueError``."""
    value = _as_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_decay(name: str, value: Any) -> float:
    """Return ``value`` as a float if it lies in [0, 1), else raise ``ValueError``."""
    value = _as_real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def check_unit_closed(name: str, value: Any) -> float:
    """Return ``value`` as a float if it lies in [0, 1], else raise ``ValueError``."""
    value = _as_real(name, value)
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise ``ValueError``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)!r}, got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool, else raise ``ValueError``."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# --------------------------------------------------------------------------
# params / grads structure
# --------------------------------------------------------------------------
def flatten_params(params: Params, what: str = "params") -> list[tuple[str, np.ndarray]]:
    """Return ``[(key, array), ...]`` for one array, a list or a dict of arrays.

    Keys are the dict keys, the list indices as strings, or ``"0"`` for a single
    array.
    """
    if isinstance(params, np.ndarray):
        return [("0", params)]
    if isinstance(params, Mapping):
        items = [(str(k), v) for k, v in params.items()]
    elif isinstance(params, list | tuple):
        items = [(str(i), v) for i, v in enumerate(params)]
    else:
        raise ValueError(
            f"{what} must be an ndarray, a list of ndarrays or a dict of name -> ndarray, "
            f"got {type(params).__name__}"
        )
    for key, value in items:
        if not isinstance(value, np.ndarray):
            raise ValueError(f"{what}[{key!r}] must be an ndarray, got {type(value).__name__}")
    return items


def _label(what: str, key: str, single: bool) -> str:
    """How an error names an array: ``grads`` when one array was passed, else ``grads['w']``."""
    return what if single else f"{what}[{key!r}]"


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _pair_params(params: Params, grads: Params) -> list[tuple[str, np.ndarray, np.ndarray]]:
    # fast path, the common case of one valid array (a step on a small model
    # is mostly this bookkeeping); anything else takes the general path below,
    # which names what is wrong
    if (
        type(params) is np.ndarray
        and type(grads) is np.ndarray
        and params.dtype in _FLOATS
        and grads.dtype == params.dtype
        and grads.shape == params.shape
        and params.flags.writeable
    ):
        return [("0", params, grads)]
    p_items = flatten_params(params, "params")
    g_items = flatten_params(grads, "grads")
    if type(params) is not type(grads) and not (
        isinstance(params, Mapping) and isinstance(grads, Mapping)
    ) and not (isinstance(params, list | tuple) and isinstance(grads, list | tuple)):
        raise ValueError(
            f"grads must have the same structure as params: params is a "
            f"{type(params).__name__}, grads is a {type(grads).__name__}"
        )
    single = isinstance(params, np.ndarray)
    p_keys = [k for k, _ in p_items]
    g_keys = [k for k, _ in g_items]
    if isinstance(params, Mapping):
        if set(p_keys) != set(g_keys):
            missing = sorted(set(p_keys) - set(g_keys))
            extra = sorted(set(g_keys) - set(p_keys))
            raise ValueError(
                f"grads keys do not match params keys: missing {missing}, unexpected {extra}"
            )
        g_map = dict(g_items)
        g_items = [(k, g_map[k]) for k in p_keys]
    elif len(p_keys) != len(g_keys):
        raise ValueError(f"grads has {len(g_keys)} arrays but params has {len(p_keys)}")
    pairs = []
    for (key, p), (_, g) in zip(p_items, g_items, strict=True):
        pname, gname = _label("params", key, single), _label("grads", key, single)
        if p.dtype not in (np.float32, np.float64):
            raise ValueError(f"{pname} must have dtype float32 or float64, got {p.dtype}")
        if g.shape != p.shape:
            raise ValueError(f"{gname} has shape {g.shape} but {pname} has shape {p.shape}")
        if g.dtype != p.dtype:
            raise ValueError(f"{gname} has dtype {g.dtype} but {pname} has dtype {p.dtype}")
        if not p.flags.writeable:
            raise ValueError(f"{pname} is read-only; the step updates params in place")
        pairs.append((key, p, g))
    return pairs


_ZEROS: dict[np.dtype, np.ndarray] = {}


def _check_finite(g: np.ndarray, name: str, t: int) -> None:
    """Raise ``ValueError`` if ``g`` holds a NaN or an infinity.

    One pass, chunk by chunk, with no temporary array: the dot product of a
    chunk with zeros is 0 when every element is finite and NaN otherwise
    (NaN · 0 and ±inf · 0 are NaN; a huge finite value times 0 is 0, so
    nothing overflows). Only when something is wrong are the bad values
    counted. A gradient of at most one chunk is then in the cache when the
    step reads it.
    """
    n = g.size
    if n == 0:
        return
    zeros = _ZEROS.get(g.dtype)
    if zeros is None or zeros.size < min(n, CHUNK):
        zeros = _ZEROS[g.dtype] = np.zeros(max(min(n, CHUNK), 1024), dtype=g.dtype)
    flat = g.reshape(-1) if g.flags.c_contiguous else np.ravel(g)
    with np.errstate(invalid="ignore"):  # inf · 0 is NaN: that is the signal
        if n <= CHUNK:
            finite = math.isfinite(np.dot(flat, zeros[:n]))
        else:
            finite = all(
                math.isfinite(np.dot(flat[sl], zeros[: sl.stop - sl.start]))
                for sl in _chunks(n)
            )
    if not finite:
        bad = int(np.count_nonzero(~np.isfinite(g)))
        nan = int(np.count_nonzero(np.isnan(g)))
        raise ValueError(
            f"{name} has {bad} non-finite value{'s' if bad != 1 else ''} "
            f"({nan} NaN, {bad - nan} ±inf) at step t = {t}; nothing was updated. "
            "Find where the gradient overflowed, or pass check_finite=False to step() "
            "to let non-finite values through (they reach the parameters and the state)"
        )


def _chunks(n: int) -> Iterator[slice]:
    for start in range(0, n, CHUNK):
        yield slice(start, min(start + CHUNK, n))


class Optimizer:
    """Base class of the book's optimizers.

    Subclasses set ``state_names`` (the per-parameter arrays, created as zeros
    on the first step) and implement :meth:`_update`. A subclass that keeps a
    scalar that changes once per step (Nadam's running product of momentum
    coefficients) overrides :meth:`_begin_step` and lists it in
    ``scalar_state_names``.
    """

    #: names of the per-parameter state arrays, created as zeros like the param
    state_names: ClassVar[tuple[str, ...]] = ()
    #: names of scalar attributes that are part of the state (saved and loaded)
    scalar_state_names: ClassVar[tuple[str, ...]] = ()
    #: names of the hyperparameters, in the order of the constructor
    hyperparameter_names: ClassVar[tuple[str, ...]] = ()
    #: how many chunk-sized scratch buffers ``_update`` needs (1 or 2); with
    #: 1 it receives one array, with 2 a tuple of two
    scratch_count: ClassVar[int] = 1

    def __init__(self) -> None:
        self.t: int = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._specs: dict[str, tuple[tuple[int, ...], np.dtype]] | None = None
        self._scratch: dict[np.dtype, np.ndarray] = {}

    # ------------------------------------------------------------------ api
    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters as a dict of name -> value."""
        return {name: getattr(self, name) for name in self.hyperparameter_names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"{type(self).__name__}({args})"

    def step(self, params: Params, grads: Params, *, check_finite: bool = True) -> None:
        """Take one step: update ``params`` in place from ``grads``.

        The first step fixes the structure: the names (dict keys or list
        positions), shapes and dtypes of the arrays. A later step with a
        different structure raises ``ValueError`` before anything changes.

        A gradient with a NaN or an infinity raises ``ValueError`` naming the
        array and the step, before anything changes (parameters, state and the
        step counter ``t``): one bad value would otherwise turn the parameters
        and the moment estimates into NaN for good, silently. The check reads
        each gradient once, chunk by chunk, and costs a few percent of a step
        (``benchmarks/README.md``, "The finite check"). ``check_finite=False``
        skips it, for code that checks its gradients itself.
        """
        pairs = _pair_params(params, grads)
        single = isinstance(params, np.ndarray)
        specs = {key: (p.shape, p.dtype) for key, p, _ in pairs}
        if self._specs is not None and specs != self._specs:
            if set(specs) != set(self._specs):
                raise ValueError(
                    f"params changed between steps: the first step had arrays "
                    f"{sorted(self._specs)}, this step has {sorted(specs)}"
                )
            for key, (shape, dtype) in specs.items():
                if (shape, dtype) != self._specs[key]:
                    old_shape, old_dtype = self._specs[key]
                    raise ValueError(
                        f"{_label('params', key, single)} has shape {shape} and dtype {dtype}, "
                        f"but the first step had shape {old_shape} and dtype {old_dtype}"
                    )
        check_bool("check_finite", check_finite)
        if check_finite:
            for key, _, g in pairs:
                _check_finite(g, _label("grads", key, single), self.t + 1)
        if self._specs is None:
            self._specs = specs
        for key, p, _ in pairs:
            if key not in self.state:
                self.state[key] = self._init_state(p)
        self.t += 1
        self._begin_step()
        for key, p, g in pairs:
            self._apply(p, g, self.state[key])

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of everything needed to resume: step, hyperparameters, state."""
        return {
            "type": type(self).__name__,
            "t": self.t,
            "hyperparameters": dict(self.hyperparameters),
            "scalars": {name: getattr(self, name) for name in self.scalar_state_names},
            "specs": None if self._specs is None else dict(self._specs),
            "state": {k: {n: a.copy() for n, a in st.items()} for k, st in self.state.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` (copies the arrays)."""
        if state_dict.get("type") != type(self).__name__:
            raise ValueError(
                f"state_dict is for {state_dict.get('type')!r}, not {type(self).__name__!r}"
            )
        # a fresh instance validates the hyperparameters and rebuilds whatever
        # the constructor derives from them (AggMo's state names)
        fresh = type(self)(**state_dict["hyperparameters"])
        self.__dict__.update(fresh.__dict__)
        self._scratch = {}
        self.t = int(state_dict["t"])
        for name, value in state_dict["scalars"].items():
            setattr(self, name, value)
        specs = state_dict["specs"]
        self._specs = None if specs is None else dict(specs)
        self.state = {
            k: {n: np.array(a, copy=True) for n, a in st.items()}
            for k, st in state_dict["state"].items()
        }

    # ----------------------------------------------------------- internals
    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {name: np.zeros_like(p, order="C") for name in self.state_names}

    def _begin_step(self) -> None:
        """Hook called once per step, after ``t`` is incremented."""

    def _scratch_for(self, dtype: np.dtype, n: int) -> Any:
        # one buffer per dtype, as long as the longest chunk seen (n <= CHUNK),
        # so a 2-D problem does not allocate CHUNK-sized scratch
        buf = self._scratch.get(dtype)
        if buf is None or buf.shape[1] < n:
            buf = np.empty((self.scratch_count, n), dtype=dtype)
            self._scratch[dtype] = buf
        if self.scratch_count == 1:
            return buf[0, :n]
        return tuple(row[:n] for row in buf)

    def _apply(self, p: np.ndarray, g: np.ndarray, st: dict[str, np.ndarray]) -> None:
        if p.ndim > 0 and p.flags.c_contiguous and g.flags.c_contiguous:
            pf, gf = p.reshape(-1), g.reshape(-1)
            sf = {n: a.reshape(-1) for n, a in st.items()}
            if pf.size <= CHUNK:  # one chunk: the whole array, without the slicing
                self._update(pf, gf, sf, self._scratch_for(p.dtype, pf.size))
                return
            for sl in _chunks(pf.size):
                scratch = self._scratch_for(p.dtype, sl.stop - sl.start)
                self._update(pf[sl], gf[sl], {n: a[sl] for n, a in sf.items()}, scratch)
        else:
            # 0-d or non-contiguous arrays: one block, the arrays as they are,
            # with full-size scratch buffers (the only case that allocates them)
            bufs = tuple(np.empty(p.shape, dtype=p.dtype) for _ in range(self.scratch_count))
            self._update(p, g, st, bufs[0] if self.scratch_count == 1 else bufs)

    def _update(
        self,
        theta: np.ndarray,
        g: np.ndarray,
        state: dict[str, np.ndarray],
        scratch: np.ndarray,
    ) -> None:
        """Update one block of ``theta`` in place; ``state`` holds views of the same block."""
        raise NotImplementedError


def divide(num: np.ndarray, den: np.ndarray, out: np.ndarray, eps: float) -> np.ndarray:
    """``out = num / den`` where the denominator contains ``+ eps``; 0 where ``den == 0``.

    If ε, rounded to the arrays' dtype, is positive, every denominator of the
    book's rules is positive and this is a plain division. With ε = 0 (or an ε
    that rounds to 0 in float32) a denominator can be 0. In the book's rules
    that happens only where every past gradient of the coordinate was 0, so
    the numerator is 0 too and the step there is 0, not 0/0 = NaN. (With
    β₂ = 0 and ε = 0 a rule can be truly undefined, a nonzero momentum over a
    zero second moment; the step there is taken as 0 as well.)
    """
    if out.dtype.type(eps) > 0:
        return np.divide(num, den, out=out)
    zero = den == 0
    np.divide(num, np.where(zero, 1, den), out=out)
    out[zero] = 0
    return out


def ema_(avg: np.ndarray, x: np.ndarray, decay: float, scratch: np.ndarray) -> np.ndarray:
    """In place: ``avg = decay * avg + (1 - decay) * x`` (an exponential moving average)."""
    avg *= decay
    np.multiply(x, 1 - decay, out=scratch)
    avg += scratch
    return avg


def ema_sq_(avg: np.ndarray, x: np.ndarray, decay: float, scratch: np.ndarray) -> np.ndarray:
    """In place: ``avg = decay * avg + (1 - decay) * x ⊙ x``."""
    avg *= decay
    np.multiply(x, x, out=scratch)
    scratch *= 1 - decay
    avg += scratch
    return avg
