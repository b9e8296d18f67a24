"""The models' losses, gradients and Hessians, and the bundled data loaders."""


import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

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


# ---------------------------------------------------------------------------------------------
# issue 3: linear, softmax and MLP models; mini-batch arguments
# ---------------------------------------------------------------------------------------------

from optbook.data import iris, linear_regression_data, wine  # noqa: E402
from optbook.models import MLP, LinearRegression, SoftmaxRegression  # noqa: E402


@pytest.fixture(scope="module")
def small():
    """Iris: 112 training rows, 4 features, 3 classes -- small enough for FD Hessians."""
    return iris(seed=0)


@pytest.fixture(scope="module")
def regression():
    return linear_regression_data(n=120, d=5, noise=0.3, condition_number=10.0, seed=2)


def hidden_preactivations(model, theta, X):
    views = model.unpack(theta)
    A, Zs = X, []
    for k in range(len(views) // 2 - 1):
        Z = A @ views[2 * k] + views[2 * k + 1]
        Zs.append(Z)
        A = np.tanh(Z) if model.activation == "tanh" else np.maximum(Z, 0)
    return Zs


def make_model(kind, small, regression, l2):
    if kind == "linear":
        return LinearRegression(regression.X_train, regression.y_train, l2=l2)
    if kind == "logistic":
        return LogisticRegression(small.X_train, (small.y_train == 1).astype(float), l2=l2)
    if kind == "softmax":
        return SoftmaxRegression(small.X_train, small.y_train, l2=l2)
    if kind == "mlp-tanh":
        return MLP(small.X_train, small.y_train, hidden=(6, 5), activation="tanh", l2=l2, seed=1)
    if kind == "mlp-relu":
        return MLP(small.X_train, small.y_train, hidden=(7,), activation="relu", l2=l2, seed=2)
    raise AssertionError(kind)


KINDS = ["linear", "logistic", "softmax", "mlp-tanh", "mlp-relu"]


def random_thetas(model, seed, k=3):
    rng = np.random.default_rng(seed)
    base = model.start
    return [base + rng.normal(scale=0.5, size=model.dim) for _ in range(k)]


@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("kind", KINDS)
def test_gradient_matches_central_differences(kind, l2, small, regression):
    model = make_model(kind, small, regression, l2)
    rows = np.arange(0, model.X.shape[0], 3)  # also on a mini-batch given as X, y
    Xb, yb = model.X[rows], model.y[rows]
    for theta in random_thetas(model, seed=7):
        if kind == "mlp-relu":  # stay away from the kinks: no pre-activation near 0
            for Z in hidden_preactivations(model, theta, model.X):
                assert np.min(np.abs(Z)) > 1e-4
        fd = central_difference_grad(model.value, theta)
        np.testing.assert_allclose(model.grad(theta), fd, rtol=1e-6, atol=1e-8)
        fd_b = central_difference_grad(lambda th: model.value(th, Xb, yb), theta)
        np.testing.assert_allclose(model.grad(theta, Xb, yb), fd_b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("kind", ["linear", "softmax"])
def test_hessian_matches_central_differences_of_the_gradient(kind, l2, small, regression):
    model = make_model(kind, small, regression, l2)
    for theta in random_thetas(model, seed=11, k=2):
        fd_h = np.array([central_difference_grad(lambda th, i=i: model.grad(th)[i], theta)
                         for i in range(model.dim)])
        H = model.hessian(theta)
        np.testing.assert_allclose(H, H.T, atol=1e-14)
        np.testing.assert_allclose(H, fd_h, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("kind", KINDS)
def test_minibatch_gradients_average_to_the_full_gradient(kind, l2, small, regression):
    model = make_model(kind, small, regression, l2)
    n = model.X.shape[0]
    n_batches = 4
    m = n // n_batches
    rows = np.random.default_rng(0).permutation(n)[: m * n_batches]
    sub = type(model)(**{**_init_kwargs(model), "X": model.X[rows], "y": model.y[rows]})
    for theta in random_thetas(model, seed=5, k=2):
        batches = rows.reshape(n_batches, m)
        grads = [model.grad(theta, model.X[b], model.y[b]) for b in batches]
        values = [model.value(theta, model.X[b], model.y[b]) for b in batches]
        np.testing.assert_allclose(np.mean(grads, axis=0), sub.grad(theta), rtol=1e-12,
                                   atol=1e-14)
        assert np.mean(values) == pytest.approx(sub.value(theta), rel=1e-13)
        # and the mini-batch of all rows is the full gradient
        np.testing.assert_array_equal(model.grad(theta, model.X, model.y), model.grad(theta))


def _init_kwargs(model):
    kw = {"l2": model.l2}
    if isinstance(model, MLP):
        kw.update(hidden=model.hidden, activation=model.activation, seed=model.seed,
                  n_classes=model.n_classes)
    elif isinstance(model, SoftmaxRegression):
        kw.update(n_classes=model.n_classes)
    return kw


@pytest.mark.parametrize("kind", KINDS)
def test_value_and_grad_is_value_and_grad(kind, small, regression):
    model = make_model(kind, small, regression, 0.05)
    for theta in random_thetas(model, seed=3, k=2):
        v, g = model.value_and_grad(theta)
        assert v == model.value(theta) == model(theta)
        np.testing.assert_array_equal(g, model.grad(theta))
        v, g = model.value_and_grad(theta, model.X[:9], model.y[:9])
        assert v == model.value(theta, model.X[:9], model.y[:9])
        np.testing.assert_array_equal(g, model.grad(theta, model.X[:9], model.y[:9]))
        assert isinstance(v, float) and g.shape == (model.dim,) and g.dtype == np.float64


@pytest.mark.parametrize("kind", KINDS)
def test_l2_penalises_weights_and_not_biases(kind, small, regression):
    plain = make_model(kind, small, regression, 0.0)
    reg = make_model(kind, small, regression, 0.3)
    theta = random_thetas(plain, seed=1, k=1)[0]
    if isinstance(plain, MLP):
        weights = np.concatenate([w.ravel() for w in plain.unpack(theta)[::2]])
    elif isinstance(plain, SoftmaxRegression):
        weights = plain.unpack(theta)[0].ravel()
    else:
        weights = theta[:-1]
    assert reg.value(theta) - plain.value(theta) == pytest.approx(0.15 * weights @ weights)
    # the penalty is added once, not per row: the same on a batch of 5 rows
    Xb, yb = plain.X[:5], plain.y[:5]
    assert reg.value(theta, Xb, yb) - plain.value(theta, Xb, yb) == pytest.approx(
        0.15 * weights @ weights)


@pytest.mark.parametrize("l2", [0.0, 1e-2])
def test_linear_regression_solve_is_the_minimiser(regression, l2):
    model = LinearRegression(regression.X_train, regression.y_train, l2=l2)
    theta = model.solve()
    assert np.linalg.norm(model.grad(theta)) <= 1e-12
    H = model.hessian()
    assert model.smoothness() == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-12)
    # exactly quadratic: f(θ* + v) - f(θ*) = ½ vᵀHv for any v
    v = np.random.default_rng(0).normal(size=model.dim)
    assert model.value(theta + v) - model.value(theta) == pytest.approx(0.5 * v @ H @ v,
                                                                        rel=1e-10)


def test_linear_regression_solve_handles_a_rank_deficient_design():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 1))
    X = np.hstack([x, x])  # two identical columns: the minimiser is not unique
    y = 3 * x[:, 0] + 1
    model = LinearRegression(X, y)
    theta = model.solve()
    assert np.linalg.norm(model.grad(theta)) <= 1e-12
    np.testing.assert_allclose(theta, [1.5, 1.5, 1.0], atol=1e-12)  # the minimum-norm one


def test_linear_regression_metric_and_predict(regression):
    model = LinearRegression(regression.X_train, regression.y_train)
    theta = regression.true_theta
    pred = model.predict(theta, regression.X_test)
    np.testing.assert_allclose(pred, regression.X_test @ theta[:-1])
    rmse = np.sqrt(np.mean((pred - regression.y_test) ** 2))
    assert model.metric(theta, regression.X_test, regression.y_test) == pytest.approx(rmse)
    assert model.metric_name == "RMSE"
    # half the mean squared error is the loss at l2 = 0
    assert model.value(theta) == pytest.approx(0.5 * model.metric(theta) ** 2)


def test_softmax_with_two_classes_is_logistic_regression():
    """Softmax with K = 2 depends only on the logit difference z_1 − z_0.

    With p(1 | x) = e^{z_1}/(e^{z_0} + e^{z_1}) = σ(z_1 − z_0), its cross-entropy is the
    logistic loss at w = W[:, 1] − W[:, 0], b = b_1 − b_0. So L_soft(θ) = L_log(Mθ) for the
    linear map M, and by the chain rule ∇L_soft(θ) = Mᵀ ∇L_log(Mθ).
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (rng.random(40) < 0.5).astype(np.int64)
    soft = SoftmaxRegression(X, y)
    logi = LogisticRegression(X, y)
    d, K = 3, 2
    M = np.zeros((d + 1, soft.dim))  # θ_log = M θ_soft
    for j in range(d + 1):
        M[j, j * K + 1] = 1.0
        M[j, j * K] = -1.0
    for _ in range(4):
        theta = rng.normal(size=soft.dim)
        assert soft.value(theta) == pytest.approx(logi.value(M @ theta), rel=1e-12)
        np.testing.assert_allclose(soft.grad(theta), M.T @ logi.grad(M @ theta), rtol=1e-10,
                                   atol=1e-14)
        np.testing.assert_array_equal(soft.predict(theta, X), logi.predict(M @ theta, X))
    # with the symmetric split W = [−w/2, w/2] the penalty λ_soft/2 · ‖w‖²/2 matches
    # λ_log/2 · ‖w‖² when λ_soft = 2 λ_log
    theta_log = rng.normal(size=d + 1)
    theta_soft = np.column_stack([-theta_log / 2, theta_log / 2]).ravel()
    assert SoftmaxRegression(X, y, l2=0.2).value(theta_soft) == pytest.approx(
        LogisticRegression(X, y, l2=0.1).value(theta_log), rel=1e-12)


def test_softmax_smoothness_bounds_the_hessian(small):
    model = SoftmaxRegression(small.X_train, small.y_train, l2=1e-2)
    L = model.smoothness()
    rng = np.random.default_rng(0)
    for scale in (0.0, 0.3, 1.0, 3.0):
        for _ in range(3):
            theta = rng.normal(scale=scale, size=model.dim)
            assert np.linalg.eigvalsh(model.hessian(theta))[-1] <= L * (1 + 1e-12)
    # K = 2: the bound is attained at θ = 0 (p = (½, ½) makes A_i = ½ on the difference)
    y2 = (small.y_train == 0).astype(np.int64)
    two = SoftmaxRegression(small.X_train, y2)
    assert np.linalg.eigvalsh(two.hessian(two.start))[-1] == pytest.approx(two.smoothness(),
                                                                           rel=1e-10)


def test_softmax_loss_is_stable_for_huge_logits():
    X = np.array([[1000.0], [-1000.0]])
    model = SoftmaxRegression(X, np.array([0, 2]), n_classes=3)
    theta = np.array([1.0, 0.0, -1.0, 0.0, 0.0, 0.0])  # W = [1, 0, -1], b = 0
    # row 1: logits (1000, 0, −1000), label 0 -> loss ≈ 0; row 2: (−1000, 0, 1000), label 2
    assert model.value(theta) == pytest.approx(0.0, abs=1e-300)
    assert np.all(np.isfinite(model.grad(theta)))
    theta_bad = -theta  # every example confidently wrong by 2000
    assert model.value(theta_bad) == pytest.approx(2000.0)
    assert np.all(np.isfinite(model.grad(theta_bad)))


def test_softmax_unpack_gives_views_and_the_documented_layout(small):
    model = SoftmaxRegression(small.X_train, small.y_train)
    theta = np.arange(model.dim, dtype=np.float64)
    W, b = model.unpack(theta)
    assert W.shape == (4, 3) and b.shape == (3,)
    np.testing.assert_array_equal(W.ravel(), theta[:12])
    np.testing.assert_array_equal(b, theta[12:])
    W[0, 0] = -5.0
    assert theta[0] == -5.0
    probs = model.predict_proba(theta * 0.01, small.X_test)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(theta * 0.01, small.X_test),
                                  probs.argmax(axis=1))


@pytest.mark.parametrize("kind", ["logistic", "softmax", "mlp-tanh", "mlp-relu"])
def test_accuracy_is_the_fraction_of_correct_predictions(kind, small, regression):
    model = make_model(kind, small, regression, 0.0)
    theta = random_thetas(model, seed=2, k=1)[0]
    pred = model.predict(theta, small.X_test)
    assert pred.dtype == np.int64 and pred.shape == small.y_test.shape
    y = (small.y_test == 1).astype(float) if kind == "logistic" else small.y_test
    assert model.metric(theta, small.X_test, y) == pytest.approx(np.mean(pred == y))
    assert model.accuracy(theta, small.X_test, y) == model.metric(theta, small.X_test, y)
    assert model.metric_name == "accuracy"
    assert model.metric(theta) == pytest.approx(np.mean(model.predict(theta) == model.y))


def test_mlp_layout_init_and_name(small):
    model = MLP(small.X_train, small.y_train, hidden=(8, 6), activation="tanh", seed=4)
    assert model.name == "MLP (4-8-6-3, tanh)"
    assert model.layer_sizes == (4, 8, 6, 3)
    assert model.dim == 4 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3
    theta = model.start
    np.testing.assert_array_equal(theta, model.start)  # seeded: the same every time
    assert not np.array_equal(theta, MLP(small.X_train, small.y_train, hidden=(8, 6),
                                         seed=5).start)
    W1, b1, W2, b2, W3, b3 = model.unpack(theta)
    assert [W1.shape, W2.shape, W3.shape] == [(4, 8), (8, 6), (6, 3)]
    assert not (b1.any() or b2.any() or b3.any())
    for W, (a, b) in zip((W1, W2, W3), ((4, 8), (8, 6), (6, 3)), strict=True):
        assert np.abs(W).max() <= np.sqrt(6 / (a + b))  # Glorot uniform bound
    W2[0, 0] = 123.0  # a view into θ
    assert theta[4 * 8 + 8] == 123.0


def test_mlp_relu_uses_he_initialisation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 400))
    model = MLP(X, np.arange(10) % 2, hidden=(300,), activation="relu", seed=0)
    W1 = model.unpack(model.start)[0]
    assert W1.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert model.name == "MLP (400-300-2, relu)"


def test_mlp_backprop_matches_an_independent_loop_over_examples(small):
    """The vectorised backprop against a per-example implementation of the chain rule."""
    model = MLP(small.X_train[:10], small.y_train[:10], hidden=(5,), activation="tanh",
                l2=0.0, seed=0, n_classes=3)
    theta = model.start + 0.1
    W1, b1, W2, b2 = model.unpack(theta)
    gW1, gb1, gW2, gb2 = (np.zeros_like(a) for a in (W1, b1, W2, b2))
    loss = 0.0
    for x, label in zip(model.X, model.y, strict=True):
        h = np.tanh(x @ W1 + b1)
        z = h @ W2 + b2
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        loss += -np.log(p[label]) / 10
        dz = p.copy()
        dz[label] -= 1
        gW2 += np.outer(h, dz) / 10
        gb2 += dz / 10
        dh = (W2 @ dz) * (1 - h**2)
        gW1 += np.outer(x, dh) / 10
        gb1 += dh / 10
    v, g = model.value_and_grad(theta)
    assert v == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(g, np.concatenate([gW1.ravel(), gb1, gW2.ravel(), gb2]),
                               rtol=1e-10, atol=1e-15)


def test_models_accept_integer_and_float_labels(small):
    y_int = small.y_train
    y_float = y_int.astype(float)
    a = SoftmaxRegression(small.X_train, y_int)
    b = SoftmaxRegression(small.X_train, y_float)
    theta = np.linspace(-1, 1, a.dim)
    assert a.value(theta) == b.value(theta)
    binary = (y_int == 2)
    assert LogisticRegression(small.X_train, binary.astype(int)).value(np.ones(5)) == \
        LogisticRegression(small.X_train, binary.astype(float)).value(np.ones(5))


def test_new_models_reject_bad_input(small):
    X, y = small.X_train, small.y_train
    bad_cases = [
        (lambda: LinearRegression(X[0], y), "X"),
        (lambda: LinearRegression(X, y[:-1]), "y"),
        (lambda: LinearRegression(X, np.where(y == 0, np.nan, y)), "y"),
        (lambda: LinearRegression(np.full_like(X, np.inf), y), "X"),
        (lambda: LinearRegression(X, y, l2=-1.0), "l2"),
        (lambda: LinearRegression(X, y, l2=np.nan), "l2"),
        (lambda: LinearRegression(X[:0], y[:0]), "X"),
        (lambda: SoftmaxRegression(X, y + 0.5), "y"),
        (lambda: SoftmaxRegression(X, y - 1), "y"),
        (lambda: SoftmaxRegression(X, y, n_classes=2), "y"),
        (lambda: SoftmaxRegression(X, np.zeros_like(y)), "n_classes"),
        (lambda: SoftmaxRegression(X, y, n_classes=1), "n_classes"),
        (lambda: SoftmaxRegression(X, y.astype(str)), "y"),
        (lambda: SoftmaxRegression(X, y.reshape(-1, 1)), "y"),
        (lambda: SoftmaxRegression(X, y, l2=-0.1), "l2"),
        (lambda: MLP(X, y, hidden=(0,)), "hidden"),
        (lambda: MLP(X, y, hidden=(4, -2)), "hidden"),
        (lambda: MLP(X, y, hidden=()), "hidden"),
        (lambda: MLP(X, y, hidden=(2.5,)), "hidden"),
        (lambda: MLP(X, y, activation="sigmoid"), "activation"),
        (lambda: MLP(X, y, l2=-1), "l2"),
        (lambda: MLP(X, y, seed=1.5), "seed"),
        (lambda: MLP(X, y, n_classes=2), "y"),
        (lambda: LogisticRegression(X, y), "y"),
    ]
    for make, name in bad_cases:
        with pytest.raises(ValueError, match=rf"\b{name}\b"):
            make()


@pytest.mark.parametrize("kind", KINDS)
def test_methods_reject_bad_theta_and_batches(kind, small, regression):
    model = make_model(kind, small, regression, 0.0)
    theta = model.start
    with pytest.raises(ValueError, match="theta"):
        model.grad(np.zeros(model.dim + 1))
    with pytest.raises(ValueError, match="theta"):
        model.value(np.zeros((model.dim, 1)))
    with pytest.raises(ValueError, match="theta"):
        model.value(np.array(["a"] * model.dim))
    with pytest.raises(ValueError, match="X"):
        model.grad(theta, model.X[:, :-1], model.y)  # wrong number of features
    with pytest.raises(ValueError, match="X"):
        model.value_and_grad(theta, model.X[0], model.y[:1])
    with pytest.raises(ValueError, match="y"):
        model.value(theta, model.X[:5], model.y[:4])
    with pytest.raises(ValueError, match="X and y"):
        model.value(theta, model.X[:5])
    with pytest.raises(ValueError, match="X"):
        model.predict(theta, model.X[:, :2])
    if kind != "linear":
        with pytest.raises(ValueError, match="y"):
            model.metric(theta, model.X[:3], np.array([0, 1, 7]))


def test_wine_mlp_learns(small):
    """A sanity check that the pieces fit: full-batch gradient descent on wine with an MLP
    beats chance on the test set by a wide margin."""
    data = wine(seed=0)
    model = MLP(data.X_train, data.y_train, hidden=(16,), l2=1e-3, seed=0)
    theta = model.start
    for _ in range(300):
        theta -= 0.5 * model.grad(theta)
    assert model.value(theta) < 0.1 * model.value(model.start)
    assert model.metric(theta, data.X_test, data.y_test) >= 0.9


def test_softmax_is_flat_along_a_common_bias_shift(small):
    model = SoftmaxRegression(small.X_train, small.y_train, l2=0.1)
    shift = np.zeros(model.dim)
    shift[-model.n_classes:] = 1.0  # the same number added to every bias
    rng = np.random.default_rng(0)
    for _ in range(3):
        theta = rng.normal(size=model.dim)
        assert model.value(theta + 2.5 * shift) == pytest.approx(model.value(theta), rel=1e-13)
        assert abs(model.grad(theta) @ shift) <= 1e-14
        assert np.linalg.norm(model.hessian(theta) @ shift) <= 1e-14


def test_bad_dtypes_raise_value_error_not_a_warning(small, regression):
    # complex data used to be cast to real with a ComplexWarning (the imaginary part
    # dropped), huge float labels to overflow in the cast to int with a RuntimeWarning,
    # and strings or objects to be parsed as numbers
    X, y = small.X_train, small.y_train
    Xr, yr = regression.X_train, regression.y_train
    bad_cases = [
        (lambda: LinearRegression(Xr + 1j, yr), "X"),
        (lambda: LinearRegression(Xr, yr + 1j), "y"),
        (lambda: LinearRegression(Xr.astype(str), yr), "X"),
        (lambda: LinearRegression(Xr.astype(object), yr), "X"),
        (lambda: LinearRegression(Xr, yr.astype(str)), "y"),
        (lambda: LinearRegression(Xr, yr, l2=True), "l2"),
        (lambda: LinearRegression(Xr, yr, l2="0.1"), "l2"),
        (lambda: LinearRegression(Xr, yr, l2=1j), "l2"),
        (lambda: SoftmaxRegression(X + 0j, y), "X"),
        (lambda: SoftmaxRegression(X, y * 1e20 + 0.0), "y"),
        (lambda: SoftmaxRegression(X, np.where(y == 2, 2.0**70, y)), "y"),
        (lambda: MLP(X, y.astype(float) * 1e30), "y"),
        (lambda: LogisticRegression(X + 0j, (y == 1).astype(float)), "X"),
        (lambda: SoftmaxRegression(X, y).value(np.zeros(15), X + 0j, y), "X"),
        (lambda: LinearRegression(Xr, yr).predict(np.zeros(6), Xr + 0j), "X"),
    ]
    assert_each_raises_value_error_naming(bad_cases)


def test_models_do_not_modify_the_callers_arrays(small):
    X, y = small.X_train.copy(), small.y_train.copy()
    for model in (SoftmaxRegression(X, y, l2=0.1), MLP(X, y, hidden=(5,), l2=0.1),
                  MLP(X, y, hidden=(5, 4), activation="relu")):
        theta = model.start + 0.1
        before = theta.copy()
        model.value_and_grad(theta, X[:10], y[:10])
        model.predict_proba(theta, X)
        model.metric(theta)
        np.testing.assert_array_equal(theta, before)
    np.testing.assert_array_equal(X, small.X_train)
    np.testing.assert_array_equal(y, small.y_train)


def test_mlp_seed_must_be_nonnegative_at_construction(small):
    # a negative seed was accepted and only failed, with numpy's message, when .start was read
    with pytest.raises(ValueError, match=r"\bseed must be an integer >= 0"):
        MLP(small.X_train, small.y_train, seed=-1)
    assert MLP(small.X_train, small.y_train, seed=np.int64(3)).start.shape == (259,)


def test_the_trusted_rows_path_gives_the_same_numbers():
    """train()'s inner loop skips the input checks; the numbers do not change."""
    from optbook.data import digits, linear_regression_data
    from optbook.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

    d = digits(seed=0)
    lin = linear_regression_data(n=30, d=3, seed=0)
    models = [
        LinearRegression(lin.X_train, lin.y_train, l2=0.1),
        LogisticRegression(d.X_train, (d.y_train > 4).astype(int), l2=1e-3),
        SoftmaxRegression(d.X_train, d.y_train, l2=1e-3),
        MLP(d.X_train, d.y_train, hidden=(8,), seed=0),
    ]
    rng = np.random.default_rng(0)
    for model in models:
        theta = rng.normal(scale=0.1, size=model.dim)
        rows = rng.choice(model.X.shape[0], size=7, replace=False)
        X, y = model.X[rows], model.y[rows]
        v1, g1 = model.value_and_grad(theta, X, y)
        v2, g2 = model._rows_value_and_grad(theta, X, y)
        assert v1 == v2 and np.array_equal(g1, g2), type(model).__name__


def test_train_uses_the_check_free_path_only_for_plain_models():
    """A wrapper or a subclass with its own value_and_grad is called as it is."""
    from optbook.data import linear_regression_data
    from optbook.models import LinearRegression, rows_value_and_grad
    from optbook.spikes import SpikedModel

    data = linear_regression_data(n=20, d=2, seed=0)
    plain = LinearRegression(data.X_train, data.y_train)
    assert rows_value_and_grad(plain) == plain._rows_value_and_grad

    class Custom(LinearRegression):
        def value_and_grad(self, theta, X=None, y=None):
            v, g = super().value_and_grad(theta, X, y)
            return v, 2 * g

    assert rows_value_and_grad(Custom(data.X_train, data.y_train)) is None
    assert rows_value_and_grad(SpikedModel(plain, {1: 10.0})) is None
