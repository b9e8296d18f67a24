r"""Data sets: scikit-learn's bundled ones and seeded synthetic ones. Nothing is downloaded.

Every function returns a :class:`Dataset`. The loaders of real data
(:func:`breast_cancer`, :func:`digits`, :func:`diabetes`, :func:`iris`,
:func:`wine`) make a seeded train/test split and, by default, standardise the
features with the *training* part's mean and standard deviation (so the test
set leaks nothing into the scaling). They only use the files that ship inside
scikit-learn (``load_*``, never ``fetch_*``).

The generators (:func:`linear_regression_data`, :func:`ill_conditioned`,
:func:`sparse_features`) draw everything from ``numpy.random.default_rng(seed)``
and store the true parameters in :attr:`Dataset.true_theta`.
:func:`sorted_by_target` reorders the training rows by label, for the
demonstration of what happens without shuffling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .optimizers._base import check_nonnegative, check_positive

__all__ = [
    "Dataset",
    "breast_cancer",
    "diabetes",
    "digits",
    "ill_conditioned",
    "iris",
    "linear_regression_data",
    "sorted_by_target",
    "sparse_features",
    "split_and_standardize",
    "wine",
]

_TASKS = ("classification", "regression")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features and targets split into a training and a test part.

    Fields
    ------
    name, X_train, y_train, X_test, y_test, feature_names:
        as the names say; ``X_*`` are float64 (n, d) arrays.
    task:
        ``"classification"`` or ``"regression"``.
    n_classes:
        the number of classes K (labels 0..K-1) for classification, None for
        regression.
    true_theta:
        for synthetic data, the parameters that generated the targets, in the
        layout of the matching model (``concatenate([w, [b]])`` for
        :class:`~optbook.models.LinearRegression` and
        :class:`~optbook.models.LogisticRegression`); None for real data.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    task: str = "classification"
    n_classes: int | None = None
    true_theta: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.task not in _TASKS:
            raise ValueError(f"task must be 'classification' or 'regression', got {self.task!r}")
        if self.task == "regression" and self.n_classes is not None:
            raise ValueError(f"n_classes must be None for regression, got {self.n_classes!r}")

    @property
    def n_features(self) -> int:
        """Number of features d."""
        return self.X_train.shape[1]

    @property
    def n_train(self) -> int:
        """Number of training examples n."""
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        """Number of test examples."""
        return self.X_test.shape[0]


def _check_fraction(test_fraction: float) -> float:
    if check_positive("test_fraction", test_fraction) >= 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    return float(test_fraction)


def _check_seed(seed: object) -> int:
    """Every draw comes from ``default_rng(seed)``: ``seed`` must be an integer >= 0
    (``None`` would draw fresh, unreproducible entropy)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return int(seed)


def _infer_n_classes(y: np.ndarray) -> int:
    if y.dtype.kind not in "biuf" or y.size == 0:
        raise ValueError("y must hold class labels 0..K-1 for classification")
    with np.errstate(invalid="ignore"):  # NaN or beyond the int range: caught below
        labels = y.astype(np.int64)
    if not np.array_equal(labels, y) or labels.min() < 0:
        raise ValueError("y must hold integer class labels 0..K-1 for classification")
    return max(int(labels.max()) + 1, 2)


def split_and_standardize(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    feature_names: tuple[str, ...],
    test_fraction: float = 0.25,
    seed: int = 0,
    standardize: bool = True,
    task: str = "classification",
    n_classes: int | None = None,
) -> Dataset:
    """Shuffle with ``seed``, hold out ``test_fraction`` and standardise on the training part.

    The rows are permuted by ``numpy.random.default_rng(seed).permutation``;
    the first ``round(test_fraction * n)`` form the test set. With
    ``standardize`` every feature is shifted and scaled by the training
    part's mean and standard deviation (a constant feature is only shifted).
    For classification ``n_classes`` defaults to the largest label + 1
    (at least 2). Both parts must get at least one row.
    """
    test_fraction = _check_fraction(test_fraction)
    seed = _check_seed(seed)
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False, got {standardize!r}")
    if task not in _TASKS:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must be an array of real numbers, got dtype {X.dtype}")
    X = X.astype(np.float64, copy=False)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got X {X.shape} and y {y.shape}")
    n_test = int(round(test_fraction * X.shape[0]))
    if not 0 < n_test < X.shape[0]:
        raise ValueError(
            f"test_fraction = {test_fraction:g} of n = {X.shape[0]} rows gives {n_test} test "
            f"rows; both the training and the test part need at least one"
        )
    if len(feature_names) != X.shape[1]:
        raise ValueError(
            f"feature_names must name the {X.shape[1]} columns of X, got {len(feature_names)}"
        )
    if task == "classification" and n_classes is None:
        n_classes = _infer_n_classes(y)
    order = np.random.default_rng(seed).permutation(X.shape[0])
    test, train = order[:n_test], order[n_test:]
    X_train, X_test = X[train], X[test]
    if standardize:
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train = (X_train - mean) / std
        X_test = (X_test - mean) / std
    return Dataset(
        name, X_train, y[train], X_test, y[test], tuple(feature_names), task,
        n_classes if task == "classification" else None,
    )


# ------------------------------------------------------------------------------ bundled data


def breast_cancer(test_fraction: float = 0.25, seed: int = 0, standardize: bool = True) -> Dataset:
    """The Wisconsin breast cancer data bundled with scikit-learn (569 × 30, binary).

    Targets are float 0.0 (malignant) and 1.0 (benign), as in scikit-learn,
    for :class:`~optbook.models.LogisticRegression`.
    """
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    return split_and_standardize(
        "breast cancer", raw.data, raw.target.astype(np.float64), tuple(raw.feature_names),
        test_fraction, seed, standardize, "classification", 2,
    )


def digits(test_fraction: float = 0.25, seed: int = 0, standardize: bool = True) -> Dataset:
    """The 8 × 8 handwritten digits bundled with scikit-learn (1797 × 64, 10 classes).

    Features are the 64 pixel intensities (0..16); labels are int64 0..9. Some
    pixels are blank in every training image: standardisation leaves them 0.
    """
    from sklearn.datasets import load_digits

    raw = load_digits()
    return split_and_standardize(
        "digits", raw.data, raw.target.astype(np.int64), tuple(raw.feature_names),
        test_fraction, seed, standardize, "classification", 10,
    )


def iris(test_fraction: float = 0.25, seed: int = 0, standardize: bool = True) -> Dataset:
    """Fisher's iris data bundled with scikit-learn (150 × 4, 3 classes, int64 labels)."""
    from sklearn.datasets import load_iris

    raw = load_iris()
    return split_and_standardize(
        "iris", raw.data, raw.target.astype(np.int64), tuple(raw.feature_names),
        test_fraction, seed, standardize, "classification", 3,
    )


def wine(test_fraction: float = 0.25, seed: int = 0, standardize: bool = True) -> Dataset:
    """The wine recognition data bundled with scikit-learn (178 × 13, 3 classes, int64 labels)."""
    from sklearn.datasets import load_wine

    raw = load_wine()
    return split_and_standardize(
        "wine", raw.data, raw.target.astype(np.int64), tuple(raw.feature_names),
        test_fraction, seed, standardize, "classification", 3,
    )


def diabetes(
    test_fraction: float = 0.25,
    seed: int = 0,
    standardize: bool = True,
    standardize_target: bool = True,
) -> Dataset:
    """The diabetes regression data bundled with scikit-learn (442 × 10).

    The target is a measure of disease progression one year after baseline
    (25 to 346). The features are loaded in their original units
    (``load_diabetes(scaled=False)``: age, BMI, blood pressure, six serum
    measurements), so ``standardize=False`` shows badly scaled features.

    With ``standardize_target`` (the default) the targets are shifted and
    scaled by the training targets' mean and standard deviation, so the
    squared error is of order 1 and learning rates are comparable with the
    other data sets; the RMSE is then in units of the training target's
    standard deviation (about 77).
    """
    from sklearn.datasets import load_diabetes

    raw = load_diabetes(scaled=False)
    data = split_and_standardize(
        "diabetes", raw.data, raw.target.astype(np.float64), tuple(raw.feature_names),
        test_fraction, seed, standardize, "regression",
    )
    if standardize_target:
        mean, std = data.y_train.mean(), data.y_train.std()
        data = replace(data, y_train=(data.y_train - mean) / std, y_test=(data.y_test - mean) / std)
    return data


# ------------------------------------------------------------------------------ synthetic data


def _check_count(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_nonneg(value: object, name: str) -> float:
    return check_nonnegative(name, value)


def _check_condition_number(condition_number: object) -> float:
    kappa = check_positive("condition_number", condition_number)
    if kappa < 1:
        raise ValueError(f"condition_number must be a finite number >= 1, got {condition_number!r}")
    return kappa


def _spectrum(d: int, condition_number: float) -> np.ndarray:
    """d eigenvalues spaced geometrically from 1 down to 1/condition_number."""
    return np.geomspace(1.0, 1.0 / condition_number, d)


def _random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    Q, R = np.linalg.qr(rng.normal(size=(d, d)))
    return Q * np.sign(np.diag(R))


def _prescribed_features(
    rng: np.random.Generator, n: int, n_test: int, d: int, condition_number: float
) -> tuple[np.ndarray, np.ndarray]:
    """Training rows with X^T X / n = Q diag(s) Q^T and zero column means exactly; test rows
    drawn from N(0, Q diag(s) Q^T)."""
    s = _spectrum(d, condition_number)
    Q = _random_rotation(rng, d)
    root = Q * np.sqrt(s)  # (Q diag(sqrt s)): covariance Q diag(s) Q^T
    Z = rng.normal(size=(n, d))
    Z -= Z.mean(axis=0)
    U, _, Vt = np.linalg.svd(Z, full_matrices=False)
    Z = np.sqrt(n) * U @ Vt  # zero column means and Z^T Z / n = I exactly
    X_train = Z @ root.T
    X_test = rng.normal(size=(n_test, d)) @ root.T
    return X_train, X_test


def linear_regression_data(
    n: int = 1000,
    d: int = 10,
    noise: float = 0.1,
    condition_number: float = 1.0,
    seed: int = 0,
    n_test: int | None = None,
) -> Dataset:
    r"""A linear regression problem whose Hessian has a prescribed condition number.

    Draws a random rotation :math:`Q` and the eigenvalues
    :math:`s_1 = 1 > \dots > s_d = 1/\kappa` spaced geometrically
    (``condition_number`` = κ). The ``n`` training rows are made to have zero
    column means and :math:`X^\top X/n = Q\,\mathrm{diag}(s)\,Q^\top`
    *exactly* (by whitening Gaussian rows), so the Hessian of
    :class:`~optbook.models.LinearRegression` with ``l2=0`` on the training
    set, :math:`\tilde X^\top\tilde X/n`, has eigenvalues :math:`s_1, \dots,
    s_d` and 1 (the bias): its largest eigenvalue is L = 1, its smallest μ = 1/κ,
    and its condition number is exactly κ. The ``n_test`` test rows (default
    ``n // 4``) are drawn from :math:`N(0, Q\,\mathrm{diag}(s)\,Q^\top)`.

    Targets are :math:`y = Xw^* + \sigma\varepsilon` with
    :math:`w^* \sim N(0, I_d)`, :math:`\varepsilon \sim N(0, 1)` and
    σ = ``noise``; the true parameters ``concatenate([w*, [0]])`` are stored
    in :attr:`Dataset.true_theta`. The features are *not* standardised (that
    would undo the prescribed spectrum).
    """
    n = _check_count(n, "n", 2)
    d = _check_count(d, "d", 1)
    noise = _check_nonneg(noise, "noise")
    n_test = n // 4 if n_test is None else _check_count(n_test, "n_test", 0)
    kappa = _check_condition_number(condition_number)
    seed = _check_seed(seed)
    if d == 1 and kappa != 1:
        raise ValueError("condition_number must be 1 when d = 1 (one eigenvalue)")
    if n <= d:
        raise ValueError(f"n must exceed d = {d} for an exact spectrum, got n = {n}")
    rng = np.random.default_rng(seed)
    X_train, X_test = _prescribed_features(rng, n, n_test, d, kappa)
    w = rng.normal(size=d)
    y_train = X_train @ w + noise * rng.normal(size=n)
    y_test = X_test @ w + noise * rng.normal(size=n_test)
    return Dataset(
        f"linear regression (d = {d}, κ = {kappa:g})", X_train, y_train, X_test, y_test,
        tuple(f"x{j}" for j in range(d)), "regression", None, np.append(w, 0.0),
    )


def ill_conditioned(
    n: int = 1000,
    d: int = 10,
    condition_number: float = 100.0,
    task: str = "regression",
    noise: float = 0.1,
    seed: int = 0,
    n_test: int | None = None,
) -> Dataset:
    r"""An ill-conditioned regression or binary classification problem.

    The features are those of :func:`linear_regression_data`: zero-mean
    training columns with :math:`X^\top X/n` of condition number exactly
    ``condition_number``. For ``task="regression"`` this *is*
    :func:`linear_regression_data` (default κ = 100). For
    ``task="classification"`` the labels are float 0/1 drawn as
    :math:`y_i \sim \mathrm{Bernoulli}(\sigma(x_i^\top w^*))` with
    :math:`w^* \sim N(0, I_d)` (``noise`` is unused), for
    :class:`~optbook.models.LogisticRegression`; its Hessian
    :math:`\tilde X^\top \mathrm{diag}(p(1-p))\tilde X/n` is then ill-conditioned
    too, though its condition number is no longer exactly κ.
    """
    if task not in _TASKS:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    seed = _check_seed(seed)
    if task == "regression":
        return linear_regression_data(n, d, noise, condition_number, seed, n_test)
    reg = linear_regression_data(n, d, 0.0, condition_number, seed, n_test)
    rng = np.random.default_rng([seed, 1])
    w = reg.true_theta[:-1]
    y_train = (rng.random(reg.n_train) < 1 / (1 + np.exp(-reg.X_train @ w))).astype(np.float64)
    y_test = (rng.random(reg.n_test) < 1 / (1 + np.exp(-reg.X_test @ w))).astype(np.float64)
    return replace(
        reg,
        name=f"ill-conditioned classification (d = {d}, κ = {float(condition_number):g})",
        y_train=y_train, y_test=y_test, task="classification", n_classes=2,
    )


def sparse_features(
    n: int = 2000,
    d: int = 50,
    frequencies: float | Sequence[float] | np.ndarray | None = None,
    seed: int = 0,
    task: str = "regression",
    noise: float = 0.1,
    weight_scale: float = 1.0,
    n_test: int | None = None,
) -> Dataset:
    r"""Features that are non-zero with very different frequencies: the setting of Adagrad.

    Feature j is non-zero in each row independently with probability
    ``frequencies[j]``, and then equals +1 or −1 with equal probability.
    The default frequencies are 0.5 for the first ``max(1, d // 10)``
    (common) features and 0.01 for the others (rare); a single number applies
    to every feature. The true weights are
    :math:`w^*_j = \pm` ``weight_scale`` with random signs, the bias is 0,
    and ``concatenate([w*, [0]])`` is stored in :attr:`Dataset.true_theta`.

    - ``task="regression"``: :math:`y = Xw^* + \sigma\varepsilon`, σ = ``noise``.
    - ``task="classification"``: float labels
      :math:`y_i = \mathbf 1[x_i^\top w^* + \sigma\varepsilon_i > 0]`
      (σ = ``noise`` > 0 keeps the classes overlapping).

    Because the columns are independent with mean 0 and
    :math:`E[x_{ij}^2] = f_j`, the Hessian of the least-squares loss is close to
    :math:`\mathrm{diag}(f_1, \dots, f_d, 1)`: a rare feature's weight sees a
    curvature, and a gradient, about :math:`f_j` times smaller than it would
    if it were always present, yet leaving it at 0 costs about
    :math:`\tfrac12 f_j w_j^{*2}` of the regression loss each. The features
    are not standardised (that would hide the frequencies).
    The ``n_test`` test rows (default ``n // 4``) come from the same process.
    """
    n = _check_count(n, "n", 1)
    d = _check_count(d, "d", 1)
    noise = _check_nonneg(noise, "noise")
    weight_scale = _check_nonneg(weight_scale, "weight_scale")
    n_test = n // 4 if n_test is None else _check_count(n_test, "n_test", 0)
    if task not in _TASKS:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    seed = _check_seed(seed)
    if frequencies is None:
        freq = np.full(d, 0.01)
        freq[: max(1, d // 10)] = 0.5
    else:
        try:
            raw = np.asarray(frequencies)
            if raw.dtype.kind not in "biuf":
                raise TypeError("not real numbers")
            freq = np.broadcast_to(raw.astype(np.float64), (d,)).copy()
        except (TypeError, ValueError):
            raise ValueError(
                f"frequencies must be a number or a sequence of d = {d} numbers in (0, 1]"
            ) from None
        if not np.all((freq > 0) & (freq <= 1)):
            raise ValueError("frequencies must all be in (0, 1]")
    rng = np.random.default_rng(seed)
    w = weight_scale * rng.choice([-1.0, 1.0], size=d)

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        present = rng.random((m, d)) < freq
        X = np.where(present, rng.choice([-1.0, 1.0], size=(m, d)), 0.0)
        z = X @ w + noise * rng.normal(size=m)
        return X, (z if task == "regression" else (z > 0).astype(np.float64))

    X_train, y_train = draw(n)
    X_test, y_test = draw(n_test)
    return Dataset(
        f"sparse features ({task}, d = {d})", X_train, y_train, X_test, y_test,
        tuple(f"x{j}" for j in range(d)), task, 2 if task == "classification" else None,
        np.append(w, 0.0),
    )


def sorted_by_target(dataset: Dataset) -> Dataset:
    """The same data set with its training rows sorted by target (stable sort).

    For classification the rows come class by class (all 0s, then all 1s, ...):
    an epoch that visits them in this order (``shuffle=False``) sees one class
    at a time. The test set is unchanged.
    """
    if not isinstance(dataset, Dataset):
        raise ValueError(f"dataset must be a Dataset, got {type(dataset).__name__}")
    order = np.argsort(dataset.y_train, kind="stable")
    return replace(
        dataset,
        name=f"{dataset.name} (sorted by target)",
        X_train=dataset.X_train[order],
        y_train=dataset.y_train[order],
    )
