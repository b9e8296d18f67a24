"""The data loaders and the synthetic generators of optbook.data."""

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook import data
from optbook.models import LinearRegression, LogisticRegression
from optbook.newton import minimize_newton

# name -> (loader, total rows, features, task, n_classes, label dtype kind)
LOADERS = {
    "breast_cancer": (data.breast_cancer, 569, 30, "classification", 2, "f"),
    "digits": (data.digits, 1797, 64, "classification", 10, "i"),
    "iris": (data.iris, 150, 4, "classification", 3, "i"),
    "wine": (data.wine, 178, 13, "classification", 3, "i"),
    "diabetes": (data.diabetes, 442, 10, "regression", None, "f"),
}


@pytest.mark.parametrize("name", LOADERS)
def test_loader_is_seeded_split_and_labelled(name):
    load, n, d, task, k, kind = LOADERS[name]
    ds = load(seed=0)
    again, other = load(seed=0), load(seed=1)
    assert np.array_equal(ds.X_train, again.X_train) and np.array_equal(ds.y_test, again.y_test)
    assert not np.array_equal(ds.X_train, other.X_train)
    assert ds.n_train + ds.n_test == n and ds.n_train == ds.X_train.shape[0]
    assert ds.n_test == round(0.25 * n)
    assert ds.n_features == d == ds.X_test.shape[1] == len(ds.feature_names)
    assert ds.y_train.shape == (ds.n_train,) and ds.y_test.shape == (ds.n_test,)
    assert ds.task == task and ds.n_classes == k
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype.kind == kind
    if task == "classification":
        assert set(np.unique(ds.y_train)) == set(range(k))
        assert set(np.unique(ds.y_test)) <= set(range(k))
    assert ds.true_theta is None
    smaller = load(test_fraction=0.5, seed=0)
    assert smaller.n_test == round(0.5 * n)


@pytest.mark.parametrize("name", LOADERS)
def test_loader_standardises_with_training_statistics_only(name):
    load = LOADERS[name][0]
    raw = load(seed=3, standardize=False)
    ds = load(seed=3)
    mean = raw.X_train.mean(axis=0)
    std = raw.X_train.std(axis=0)
    constant = std == 0
    std[constant] = 1.0
    np.testing.assert_allclose(ds.X_train, (raw.X_train - mean) / std, atol=1e-12)
    np.testing.assert_allclose(ds.X_test, (raw.X_test - mean) / std, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0)[~constant], 1, atol=1e-12)
    # the test set is not standardised with its own statistics
    assert not np.allclose(ds.X_test.mean(axis=0), 0, atol=1e-6)
    # same rows in the same order, standardised or not
    np.testing.assert_array_equal(ds.y_train, raw.y_train)


def test_digits_blank_pixels_stay_zero():
    ds = data.digits(seed=0)
    blank = data.digits(seed=0, standardize=False).X_train.std(axis=0) == 0
    assert blank.any()
    assert np.all(ds.X_train[:, blank] == 0)


def test_diabetes_target_is_standardised_on_the_training_part():
    raw = data.diabetes(seed=2, standardize_target=False)
    ds = data.diabetes(seed=2)
    assert raw.y_train.min() >= 25 and raw.y_train.max() <= 346  # original units
    m, s = raw.y_train.mean(), raw.y_train.std()
    np.testing.assert_allclose(ds.y_train, (raw.y_train - m) / s)
    np.testing.assert_allclose(ds.y_test, (raw.y_test - m) / s)
    assert ds.y_train.mean() == pytest.approx(0, abs=1e-12)
    assert ds.y_train.std() == pytest.approx(1)
    # without standardize the features keep their original units (age in years, sex 1 or 2,
    # blood pressure in mm Hg, ...), and the least-squares Hessian is far worse conditioned
    unscaled = data.diabetes(standardize=False)
    assert set(np.unique(unscaled.X_train[:, 1])) == {1.0, 2.0}
    conds = [np.linalg.cond(LinearRegression(d.X_train, d.y_train).hessian())
             for d in (unscaled, ds)]
    assert conds[0] > 1e4 * conds[1]


def test_split_and_standardize_keeps_working_positionally_and_infers_classes():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    ds = data.split_and_standardize("toy", X, y, ("a", "b"), 0.2, 1, True)
    assert ds.task == "classification" and ds.n_classes == 3
    assert ds.n_train == 8 and ds.n_test == 2
    reg = data.split_and_standardize("toy", X, y * 0.5, ("a", "b"), task="regression")
    assert reg.task == "regression" and reg.n_classes is None


def test_split_and_dataset_reject_bad_input():
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    cases = [
        (lambda: data.split_and_standardize("x", X, y, ("a", "b"), test_fraction=0.0),
         "test_fraction"),
        (lambda: data.split_and_standardize("x", X, y, ("a", "b"), task="ranking"), "task"),
        (lambda: data.split_and_standardize("x", X, y, ("a",)), "feature_names"),
        (lambda: data.split_and_standardize("x", X, y[:3], ("a", "b")), "y"),
        (lambda: data.split_and_standardize("x", X, y + 0.5, ("a", "b")), "y"),
        (lambda: data.Dataset("x", X, y, X, y, ("a", "b"), task="ranking"), "task"),
        (lambda: data.Dataset("x", X, y, X, y, ("a", "b"), "regression", 2), "n_classes"),
        (lambda: data.digits(test_fraction=1.5), "test_fraction"),
        (lambda: data.diabetes(test_fraction=-0.1), "test_fraction"),
    ]
    for make, name in cases:
        with pytest.raises(ValueError, match=name):
            make()


# ------------------------------------------------------------------------------- generators


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1e4])
def test_linear_regression_data_has_the_prescribed_condition_number(kappa):
    ds = data.linear_regression_data(n=200, d=6, noise=0.1, condition_number=kappa, seed=1)
    assert ds.task == "regression" and ds.n_classes is None
    assert ds.n_train == 200 and ds.n_test == 50 and ds.n_features == 6
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0, atol=1e-12)
    model = LinearRegression(ds.X_train, ds.y_train)
    eig = np.linalg.eigvalsh(model.hessian())
    expected = np.sort(np.append(np.geomspace(1, 1 / kappa, 6), 1.0))
    np.testing.assert_allclose(eig, expected, rtol=1e-9, atol=1e-12)
    assert model.smoothness() == pytest.approx(1.0)
    assert eig[-1] / eig[0] == pytest.approx(kappa, rel=1e-9)


def test_linear_regression_data_targets_follow_the_true_weights():
    ds = data.linear_regression_data(n=4000, d=5, noise=0.3, condition_number=5.0, seed=0)
    theta = ds.true_theta
    assert theta.shape == (6,) and theta[-1] == 0.0
    assert np.std(ds.y_train - ds.X_train @ theta[:-1]) == pytest.approx(0.3, rel=0.05)
    assert np.std(ds.y_test - ds.X_test @ theta[:-1]) == pytest.approx(0.3, rel=0.1)
    # the minimiser is close to the true parameters for many rows and little noise
    np.testing.assert_allclose(LinearRegression(ds.X_train, ds.y_train).solve(), theta,
                               atol=0.05)
    # the test rows come from the same distribution: their covariance is close to the train one
    cov_train = ds.X_train.T @ ds.X_train / ds.n_train
    cov_test = ds.X_test.T @ ds.X_test / ds.n_test
    assert np.abs(cov_test - cov_train).max() < 0.15
    exact = data.linear_regression_data(n=100, d=3, noise=0.0, seed=4)
    np.testing.assert_allclose(exact.y_train, exact.X_train @ exact.true_theta[:-1])


def test_ill_conditioned_regression_is_linear_regression_data():
    a = data.ill_conditioned(n=100, d=4, condition_number=50.0, seed=3)
    b = data.linear_regression_data(n=100, d=4, noise=0.1, condition_number=50.0, seed=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)


def test_ill_conditioned_classification():
    ds = data.ill_conditioned(n=3000, d=4, condition_number=100.0, task="classification",
                              seed=0)
    assert ds.task == "classification" and ds.n_classes == 2
    assert set(np.unique(ds.y_train)) == {0.0, 1.0} and ds.y_train.dtype == np.float64
    # the labels are Bernoulli(σ(x·w*)): the mean label is close to the mean probability
    p = 1 / (1 + np.exp(-ds.X_train @ ds.true_theta[:-1]))
    assert abs(ds.y_train.mean() - p.mean()) < 4 * np.sqrt(0.25 / ds.n_train)
    # and logistic regression recovers w* roughly
    model = LogisticRegression(ds.X_train, ds.y_train, l2=1e-4)
    theta = minimize_newton(model)
    assert np.corrcoef(theta[:-1], ds.true_theta[:-1])[0, 1] > 0.9
    cond = np.linalg.cond(model.hessian(theta))
    assert cond > 50  # ill-conditioned, though not exactly κ


def test_sparse_features_frequencies_within_sampling_tolerance():
    freq = np.array([0.5, 0.5, 0.2, 0.05, 0.01, 0.01])
    ds = data.sparse_features(n=20000, d=6, frequencies=freq, seed=0)
    observed = (ds.X_train != 0).mean(axis=0)
    tol = 4 * np.sqrt(freq * (1 - freq) / ds.n_train)
    assert np.all(np.abs(observed - freq) <= tol)
    assert set(np.unique(ds.X_train)) == {-1.0, 0.0, 1.0}
    # non-zero values are ±1 with equal probability: columns have mean ≈ 0
    assert np.all(np.abs(ds.X_train.mean(axis=0)) <= 4 * np.sqrt(freq / ds.n_train))
    # the default: a tenth common at 0.5, the rest rare at 0.01
    default = data.sparse_features(n=20000, d=20, seed=1)
    f = (default.X_train != 0).mean(axis=0)
    assert np.all(np.abs(f[:2] - 0.5) < 0.02) and np.all(np.abs(f[2:] - 0.01) < 0.005)
    # a single number is used for every feature
    one = data.sparse_features(n=5000, d=3, frequencies=0.3, seed=2)
    assert np.all(np.abs((one.X_train != 0).mean(axis=0) - 0.3) < 0.03)


def test_sparse_features_rare_weights_matter():
    """Dropping the rare features must cost a lot of loss: else Adagrad has nothing to show."""
    ds = data.sparse_features(n=4000, d=50, seed=0, noise=0.1)
    rare = np.arange(50) >= 5
    full = LinearRegression(ds.X_train, ds.y_train)
    theta = full.solve()
    X_common = np.where(rare, 0.0, ds.X_train)
    common = LinearRegression(X_common, ds.y_train)
    gap = common.value(common.solve()) - full.value(theta)
    # about ½ Σ_rare f_j w_j² = ½ · 45 · 0.01 = 0.225, against a noise floor of ½σ² = 0.005
    assert gap == pytest.approx(0.225, rel=0.2)
    assert full.value(theta) == pytest.approx(0.005, rel=0.2)
    np.testing.assert_allclose(theta, ds.true_theta, atol=0.05)
    # the Hessian is close to diag(f_1, ..., f_d, 1): each weight has its own curvature
    freq = np.where(rare, 0.01, 0.5)
    H = full.hessian()
    np.testing.assert_allclose(H, np.diag(np.append(freq, 1.0)), atol=0.05)

    cls = data.sparse_features(n=4000, d=50, seed=0, task="classification")
    assert cls.task == "classification" and cls.n_classes == 2
    assert set(np.unique(cls.y_train)) == {0.0, 1.0}
    model = LogisticRegression(cls.X_train, cls.y_train, l2=1e-3)
    reduced = LogisticRegression(np.where(rare, 0.0, cls.X_train), cls.y_train, l2=1e-3)
    assert reduced.value(minimize_newton(reduced)) > model.value(minimize_newton(model)) + 0.02


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: data.linear_regression_data(n=50, d=3, condition_number=10, seed=seed),
        lambda seed: data.ill_conditioned(n=50, d=3, task="classification", seed=seed),
        lambda seed: data.sparse_features(n=100, d=10, seed=seed),
        lambda seed: data.sparse_features(n=100, d=10, seed=seed, task="classification"),
    ],
)
def test_generators_are_reproducible_and_differ_across_seeds(make):
    a, b, c = make(0), make(0), make(1)
    for field in ("X_train", "y_train", "X_test", "y_test", "true_theta"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)
    assert not np.array_equal(a.y_train, c.y_train)


def test_generators_reject_bad_input():
    cases = [
        (lambda: data.linear_regression_data(n=0), "n"),
        (lambda: data.linear_regression_data(n=5, d=10), "n"),
        (lambda: data.linear_regression_data(d=0), "d"),
        (lambda: data.linear_regression_data(d=2.5), "d"),
        (lambda: data.linear_regression_data(noise=-1), "noise"),
        (lambda: data.linear_regression_data(condition_number=0.5), "condition_number"),
        (lambda: data.linear_regression_data(condition_number=np.inf), "condition_number"),
        (lambda: data.linear_regression_data(d=1, condition_number=3), "condition_number"),
        (lambda: data.linear_regression_data(n_test=-1), "n_test"),
        (lambda: data.ill_conditioned(task="ranking"), "task"),
        (lambda: data.sparse_features(d=3, frequencies=[0.5, 0.1]), "frequencies"),
        (lambda: data.sparse_features(d=2, frequencies=[0.5, 0.0]), "frequencies"),
        (lambda: data.sparse_features(d=2, frequencies=[0.5, 1.5]), "frequencies"),
        (lambda: data.sparse_features(d=2, frequencies="a"), "frequencies"),
        (lambda: data.sparse_features(task="ranking"), "task"),
        (lambda: data.sparse_features(weight_scale=-2), "weight_scale"),
        (lambda: data.sparse_features(n=0), "n"),
        (lambda: data.sorted_by_target("digits"), "dataset"),
    ]
    for make, name in cases:
        with pytest.raises(ValueError, match=rf"\b{name}\b"):
            make()


@pytest.mark.parametrize("load", [data.iris, data.diabetes])
def test_sorted_by_target_sorts_the_training_rows_only(load):
    ds = load(seed=0)
    s = data.sorted_by_target(ds)
    assert np.all(np.diff(s.y_train) >= 0)
    np.testing.assert_array_equal(s.X_test, ds.X_test)
    np.testing.assert_array_equal(s.y_test, ds.y_test)
    assert s.task == ds.task and s.n_classes == ds.n_classes and s.n_train == ds.n_train
    # the same (x, y) pairs, reordered
    order = np.argsort(ds.y_train, kind="stable")
    np.testing.assert_array_equal(s.X_train, ds.X_train[order])
    np.testing.assert_array_equal(np.sort(ds.y_train), s.y_train)
    assert "sorted" in s.name


def test_more_bad_input_raises_value_error_naming_it():
    # seeds: None used to draw unseeded data, -1 and 1.5 gave numpy's errors; a split
    # leaving no training rows warned "Mean of empty slice"; complex data warned
    X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])
    cases = [
        (lambda: data.linear_regression_data(seed=None), "seed"),
        (lambda: data.linear_regression_data(seed=-1), "seed"),
        (lambda: data.ill_conditioned(task="classification", seed=None), "seed"),
        (lambda: data.sparse_features(seed=1.5), "seed"),
        (lambda: data.iris(seed=None), "seed"),
        (lambda: data.split_and_standardize("x", X, y, ("a", "b"), seed=None), "seed"),
        (lambda: data.split_and_standardize("x", X, y, ("a", "b"), test_fraction=0.9),
         "test_fraction"),
        (lambda: data.split_and_standardize("x", X, y, ("a", "b"), test_fraction=0.1),
         "test_fraction"),
        (lambda: data.split_and_standardize("x", X + 1j, y, ("a", "b")), "X"),
        (lambda: data.split_and_standardize("x", X, y, ("a", "b"), standardize="no"),
         "standardize"),
        (lambda: data.digits(test_fraction="0.2"), "test_fraction"),
        (lambda: data.linear_regression_data(condition_number=1j), "condition_number"),
        (lambda: data.linear_regression_data(condition_number="10"), "condition_number"),
        (lambda: data.linear_regression_data(noise=True), "noise"),
        (lambda: data.sparse_features(d=2, frequencies=np.array([0.5, 0.1 + 0j])),
         "frequencies"),
        # float labels that are NaN or beyond the int range warned in the cast
        (lambda: data.split_and_standardize("x", X, np.array([0.0, 1e20, 0.0, 1.0]),
                                            ("a", "b")), "y"),
        (lambda: data.split_and_standardize("x", X, np.array([0.0, np.nan, 0.0, 1.0]),
                                            ("a", "b")), "y"),
    ]
    assert_each_raises_value_error_naming(cases)


def test_sparse_features_hessian_is_close_to_diag_of_the_frequencies():
    # the docstring: E[x_j²] = f_j and independent zero-mean columns, so X̃ᵀX̃/n ≈ diag(f, 1)
    f = np.array([0.5, 0.2, 0.05, 0.01])
    ds = data.sparse_features(n=200_000, d=4, frequencies=f, seed=0)
    Xb = np.hstack([ds.X_train, np.ones((ds.n_train, 1))])
    H = Xb.T @ Xb / ds.n_train
    np.testing.assert_allclose(H, np.diag(np.append(f, 1.0)), atol=5 / np.sqrt(ds.n_train))
