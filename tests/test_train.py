"""optbook.train: the one loop for batch, stochastic and mini-batch descent.

The loop is checked against hand-written loops over the same batches, against
optbook.run for batch descent, and for its bookkeeping, schedules, divergence
handling and input errors. The model here is a tiny least-squares model written
in the test, so that these tests check the loop and nothing else.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook import schedules
from optbook.optimizers import ALL_OPTIMIZERS, SGD, Adam, GradientNoise
from optbook.run import run
from optbook.train import TrainResult, train, updates_per_epoch


class LeastSquares:
    """L(θ) = mean_i ½(x_iᵀθ − y_i)², bound to (X, y); metric: RMSE."""

    metric_name = "RMSE"

    def __init__(self, X, y):
        self.X, self.y = np.asarray(X, float), np.asarray(y, float)
        self.dim = self.X.shape[1]
        self.start = np.zeros(self.dim)
        self.name = "least squares"

    def _xy(self, X, y):
        return (self.X, self.y) if X is None else (X, y)

    def value(self, theta, X=None, y=None):
        X, y = self._xy(X, y)
        r = X @ theta - y
        return 0.5 * float(np.mean(r * r))

    def grad(self, theta, X=None, y=None):
        X, y = self._xy(X, y)
        return X.T @ (X @ theta - y) / X.shape[0]

    def value_and_grad(self, theta, X=None, y=None):
        return self.value(theta, X, y), self.grad(theta, X, y)

    def metric(self, theta, X=None, y=None):
        return float(np.sqrt(2 * self.value(theta, X, y)))


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(103, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.normal(size=103)
    return LeastSquares(X, y)


def hand_loop(model, lr, epochs, B, seed, shuffle=True, drop_last=False):
    """Ruder's listing 2.3, written out: the reference for the loop."""
    rng = np.random.default_rng(seed)
    theta = model.start.copy()
    n = len(model.y)
    for _ in range(epochs):
        order = rng.permutation(n) if (shuffle and B < n) else np.arange(n)
        stop = n - n % B if drop_last else n
        for lo in range(0, stop, B):
            rows = order[lo:lo + B]
            theta = theta - lr * model.grad(theta, model.X[rows], model.y[rows])
    return theta


def test_updates_per_epoch_arithmetic():
    assert updates_per_epoch(1000, 50) == 20  # Ruder / source 002's example
    assert updates_per_epoch(1000, 30) == 34
    assert updates_per_epoch(1000, 30, drop_last=True) == 33
    assert updates_per_epoch(1000, None) == 1
    assert updates_per_epoch(1000, 1) == 1000
    assert updates_per_epoch(1000, 1000) == 1
    with pytest.raises(ValueError, match="drop_last must be True or False"):
        updates_per_epoch(1000, 30, drop_last="yes")  # a truthy string meant True


@pytest.mark.parametrize("B", [1, 10, 50, 103])
@pytest.mark.parametrize("shuffle", [True, False])
def test_minibatch_loop_equals_the_hand_written_loop(problem, B, shuffle):
    res = train(problem, SGD(lr=0.05), epochs=3, batch_size=B, shuffle=shuffle, seed=7)
    np.testing.assert_allclose(res.theta, hand_loop(problem, 0.05, 3, B, 7, shuffle), rtol=1e-13)
    assert res.n_updates == 3 * updates_per_epoch(103, B)
    assert res.updates_per_epoch == updates_per_epoch(103, B)


def test_drop_last_skips_the_short_batch(problem):
    res = train(problem, SGD(lr=0.05), epochs=2, batch_size=10, drop_last=True, seed=1)
    np.testing.assert_allclose(res.theta, hand_loop(problem, 0.05, 2, 10, 1, drop_last=True),
                               rtol=1e-13)
    assert res.n_updates == 20
    assert res.examples_seen == 200
    full = train(problem, SGD(lr=0.05), epochs=2, batch_size=10, seed=1)
    assert full.examples_seen == 2 * 103 and full.n_updates == 22


def test_batch_descent_is_run_on_the_full_objective(problem):
    res = train(problem, SGD(lr=0.1), epochs=25, record_path=True)
    ref = run(problem, SGD(lr=0.1), 25)
    np.testing.assert_allclose(res.path, ref.path, rtol=1e-13)
    np.testing.assert_allclose(res.train_losses, ref.losses, rtol=1e-13)
    np.testing.assert_allclose(res.batch_losses, ref.losses[:-1], rtol=1e-13)
    assert res.label == "SGD, full batch"


@pytest.mark.parametrize("B", [1, 8, 103])
def test_sampling_with_replacement_equals_the_hand_written_loop(problem, B):
    res = train(problem, SGD(lr=0.05), epochs=3, batch_size=B, replacement=True, seed=5)
    rng = np.random.default_rng(5)
    theta = problem.start.copy()
    per_epoch = updates_per_epoch(103, B)
    for _ in range(3):
        draws = rng.integers(103, size=(per_epoch, B))
        for rows in draws:
            theta = theta - 0.05 * problem.grad(theta, problem.X[rows], problem.y[rows])
    np.testing.assert_allclose(res.theta, theta, rtol=1e-13)
    assert res.n_updates == 3 * per_epoch
    assert res.examples_seen == 3 * per_epoch * B
    # with replacement a batch of size n still repeats rows: not the full gradient
    if B == 103:
        assert not np.allclose(res.theta, train(problem, SGD(lr=0.05), epochs=3).theta)


def test_shuffling_uses_the_seed(problem):
    a = train(problem, SGD(lr=0.05), epochs=2, batch_size=5, seed=3)
    b = train(problem, SGD(lr=0.05), epochs=2, batch_size=5, seed=3)
    c = train(problem, SGD(lr=0.05), epochs=2, batch_size=5, seed=4)
    np.testing.assert_array_equal(a.batch_losses, b.batch_losses)
    assert not np.array_equal(a.theta, c.theta)


def test_batch_losses_are_the_losses_before_each_update(problem):
    res = train(problem, SGD(lr=0.05), epochs=1, batch_size=103 // 2, shuffle=False,
                record_path=True)
    rows = [slice(0, 51), slice(51, 102), slice(102, 103)]
    for t, r in enumerate(rows):
        assert res.batch_losses[t] == pytest.approx(
            problem.value(res.path[t], problem.X[r], problem.y[r]), rel=1e-14)


def test_checkpoints_epochs_eval_every_and_held_out_data(problem):
    Xt, yt = problem.X[:20] + 1.0, problem.y[:20]
    res = train(problem, SGD(lr=0.02), epochs=2, batch_size=10, eval_every=4,
                eval_data=(Xt, yt), record_path=True)
    expected = sorted(set([0, 11, 22] + list(range(4, 23, 4))))
    assert res.checkpoints.tolist() == expected
    np.testing.assert_allclose(res.checkpoint_epochs, np.array(expected) / 11)
    for c, lt, mt, ltest in zip(res.checkpoints, res.train_losses, res.train_metrics,
                                res.test_losses, strict=True):
        assert lt == pytest.approx(problem.value(res.path[c]))
        assert mt == pytest.approx(problem.metric(res.path[c]))
        assert ltest == pytest.approx(problem.value(res.path[c], Xt, yt))
    assert res.epoch_train_losses.tolist() == res.train_losses[[0, 3, 7]].tolist()
    assert res.metric_name == "RMSE"
    np.testing.assert_allclose(res.update_epochs[-1], 2.0)


def test_max_updates_stops_mid_epoch_with_a_final_checkpoint(problem):
    res = train(problem, SGD(lr=0.02), epochs=5, batch_size=10, max_updates=15)
    assert res.n_updates == 15
    assert res.checkpoints.tolist() == [0, 11, 15]


def test_schedule_sets_the_rate_of_every_update(problem):
    sched = schedules.step_decay(0.1, 0.5, every=4)
    res = train(problem, SGD(lr=1.0), epochs=3, batch_size=25, lr_schedule=sched, seed=2)
    np.testing.assert_allclose(res.lrs, schedules.values(sched, res.n_updates))
    # and the same as a hand loop with those rates
    rng = np.random.default_rng(2)
    theta, t = problem.start.copy(), 0
    for _ in range(3):
        order = rng.permutation(103)
        for lo in range(0, 103, 25):
            t += 1
            rows = order[lo:lo + 25]
            theta = theta - sched(t) * problem.grad(theta, problem.X[rows], problem.y[rows])
    np.testing.assert_allclose(res.theta, theta, rtol=1e-13)


@pytest.mark.parametrize("cls", ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def test_every_optimizer_trains_with_every_schedule(problem, cls):
    sched = schedules.linear_warmup(schedules.cosine(0.01, 40), 5)
    res = train(problem, cls, epochs=4, batch_size=10, lr_schedule=sched)
    np.testing.assert_allclose(res.lrs, schedules.values(sched, res.n_updates))
    assert not res.diverged and np.all(np.isfinite(res.theta))
    noisy = train(problem, lambda: GradientNoise(cls(), eta=0.01, seed=0), epochs=1,
                  batch_size=10, lr_schedule=sched)
    np.testing.assert_allclose(noisy.lrs, schedules.values(sched, noisy.n_updates))


def test_divergence_stops_cleanly_without_warnings(problem, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = train(problem, SGD(lr=50.0), epochs=50, batch_size=10, record_path=True,
                    eval_data=(problem.X, problem.y))
    assert res.diverged and 1 <= res.diverged_at <= res.n_updates
    assert np.all(np.isfinite(res.theta))
    np.testing.assert_array_equal(res.theta, res.path[-1])
    assert len(res.path) == res.diverged_at  # theta_0 .. theta_{t-1}
    assert np.all(np.isfinite(res.train_losses)) and np.all(np.isfinite(res.test_losses))
    assert res.checkpoints[-1] < res.diverged_at
    assert "diverged at update" in repr(res)
    out = capsys.readouterr()
    assert out.err == ""


def test_float32_parameters(problem):
    res = train(problem, Adam(lr=0.01), epochs=2, batch_size=10, dtype=np.float32)
    assert res.theta.dtype == np.float32


def test_progress_bar_goes_to_stdout_only(problem, capsys):
    train(problem, SGD(lr=0.01), epochs=3, batch_size=10, progress=True, label="demo")
    out = capsys.readouterr()
    assert "demo: epoch 3/3" in out.out and out.err == ""
    train(problem, SGD(lr=0.01), epochs=3, batch_size=10)  # short run: no bar
    assert capsys.readouterr().out == ""


def test_result_repr_and_type(problem):
    res = train(problem, SGD(lr=0.01), epochs=2, batch_size=1)
    assert isinstance(res, TrainResult)
    assert repr(res).startswith("TrainResult('SGD, B = 1', batch size 1, 206 updates = 2 epochs")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(epochs=0), "epochs must be an integer >= 1"),
        (dict(epochs=1.5), "epochs must be an integer >= 1"),
        (dict(batch_size=0), "batch_size must be an integer >= 1"),
        (dict(batch_size=104), "batch_size must be between 1 and n = 103"),
        (dict(shuffle="yes"), "shuffle must be True or False"),
        (dict(replacement=1), "replacement must be True or False"),
        (dict(eval_every=0), "eval_every must be an integer >= 1"),
        (dict(max_updates=0), "max_updates must be an integer >= 1"),
        (dict(progress="auto"), "progress must be True, False or None"),
        (dict(eval_data=np.ones(3)), r"eval_data must be a pair \(X_test, y_test\)"),
        (dict(start=np.zeros(3)), r"start must have shape \(4,\)"),
        (dict(start=np.full(4, np.inf)), "start must be finite in float64"),
    ],
)
def test_bad_arguments_name_the_parameter(problem, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train(problem, SGD(lr=0.01), **kwargs)


def test_model_and_optimizer_errors(problem):
    with pytest.raises(ValueError, match="model must carry its training data"):
        train(object(), SGD(lr=0.1))
    used = SGD(lr=0.1)
    used.step(np.zeros(1), np.ones(1))
    with pytest.raises(ValueError, match="already taken 1 steps"):
        train(problem, used)


# --------------------------------------------------------------------------
# bookkeeping properties (hypothesis) and the edge cases they found
# --------------------------------------------------------------------------
class Spy(LeastSquares):
    """LeastSquares that records the rows of every mini-batch it is asked for.

    Column 0 of X holds the row number, so a batch names its own rows.
    """

    def __init__(self, n, d=2, seed=0):
        rng = np.random.default_rng(seed)
        X = np.column_stack([np.arange(n), rng.normal(size=(n, d))])
        super().__init__(X, rng.normal(size=n))
        self.batches = []

    def value_and_grad(self, theta, X=None, y=None):
        if X is not None:
            self.batches.append(X[:, 0].astype(int).tolist())
        return super().value_and_grad(theta, X, y)


PROPS = settings(deadline=None, max_examples=60, derandomize=True, database=None)


@PROPS
@given(n=st.integers(1, 23), data=st.data())
def test_every_epoch_visits_every_row_once_in_batches_of_b(n, data):
    B = data.draw(st.integers(1, n), label="B")
    epochs = data.draw(st.integers(1, 3), label="epochs")
    shuffle = data.draw(st.booleans(), label="shuffle")
    drop_last = data.draw(st.booleans(), label="drop_last")
    model = Spy(n)
    res = train(model, SGD(lr=1e-3), epochs=epochs, batch_size=B, shuffle=shuffle,
                drop_last=drop_last, seed=data.draw(st.integers(0, 99), label="seed"))
    per = updates_per_epoch(n, B, drop_last)
    assert res.n_updates == len(model.batches) == epochs * per
    for e in range(epochs):
        batches = model.batches[e * per:(e + 1) * per]
        rows = [r for b in batches for r in b]
        assert len(rows) == len(set(rows))  # no row twice within an epoch
        if drop_last:
            assert all(len(b) == B for b in batches) and len(rows) == per * B
        else:
            assert sorted(rows) == list(range(n))  # every row exactly once
            assert [len(b) for b in batches[:-1]] == [B] * (per - 1)
        if not shuffle:
            assert rows == list(range(len(rows)))
    assert res.examples_seen == sum(len(b) for b in model.batches)


@PROPS
@given(n=st.integers(1, 23), data=st.data())
def test_with_replacement_every_batch_has_b_rows_and_drop_last_plays_no_part(n, data):
    B = data.draw(st.integers(1, n), label="B")
    drop_last = data.draw(st.booleans(), label="drop_last")
    model = Spy(n)
    res = train(model, SGD(lr=1e-3), epochs=2, batch_size=B, replacement=True,
                drop_last=drop_last, seed=3)
    # the docstring: "shuffle and drop_last then play no part"
    assert res.updates_per_epoch == updates_per_epoch(n, B)
    assert res.n_updates == 2 * updates_per_epoch(n, B)
    assert all(len(b) == B for b in model.batches)
    assert res.examples_seen == res.n_updates * B
    same = train(Spy(n), SGD(lr=1e-3), epochs=2, batch_size=B, replacement=True, seed=3)
    np.testing.assert_array_equal(res.theta, same.theta)


@PROPS
@given(n=st.integers(2, 23), data=st.data())
def test_checkpoints_and_stopping(n, data):
    B = data.draw(st.integers(1, n), label="B")
    epochs = data.draw(st.integers(1, 3), label="epochs")
    eval_every = data.draw(st.one_of(st.none(), st.integers(1, 7)), label="eval_every")
    max_updates = data.draw(st.one_of(st.none(), st.integers(1, 40)), label="max_updates")
    model = Spy(n)
    res = train(model, SGD(lr=1e-3), epochs=epochs, batch_size=B, eval_every=eval_every,
                max_updates=max_updates, record_path=True, eval_data=(model.X, model.y))
    per = updates_per_epoch(n, B)
    T = epochs * per if max_updates is None else min(epochs * per, max_updates)
    assert res.n_updates == T and not res.diverged
    expected = {0, T} | {t for t in range(1, T + 1) if t % per == 0}
    if eval_every:
        expected |= set(range(0, T + 1, eval_every))
    assert res.checkpoints.tolist() == sorted(expected)
    assert res.path.shape == (T + 1, model.dim)
    np.testing.assert_array_equal(res.theta, res.path[-1])
    for c, loss, test in zip(res.checkpoints, res.train_losses, res.test_losses, strict=True):
        assert loss == model.value(res.path[c]) == test
    np.testing.assert_array_equal(res.epoch_train_losses,
                                  res.train_losses[res.checkpoints % per == 0])


@PROPS
@given(lr=st.floats(0.5, 30.0), blowup=st.sampled_from([1e2, 1e4, 1e8]), data=st.data())
def test_a_run_either_ends_below_the_blowup_or_is_rolled_back(problem, lr, blowup, data):
    B = data.draw(st.sampled_from([1, 7, 10, 103]), label="B")
    max_updates = data.draw(st.one_of(st.none(), st.integers(1, 60)), label="max_updates")
    eval_every = data.draw(st.one_of(st.none(), st.integers(1, 5)), label="eval_every")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = train(problem, SGD(lr=lr), epochs=6, batch_size=B, shuffle=False, blowup=blowup,
                    max_updates=max_updates, eval_every=eval_every, record_path=True,
                    eval_data=(problem.X, problem.y))
    np.testing.assert_array_equal(res.theta, res.path[-1])
    assert np.all(res.train_losses <= blowup) and np.all(np.isfinite(res.test_losses))
    assert len(res.batch_losses) == len(res.lrs) == res.n_updates
    if res.diverged:
        assert res.n_updates == res.diverged_at == len(res.path)
        assert res.checkpoints[-1] < res.diverged_at
    else:
        # the final iterate is a checkpoint, and its loss is within the threshold
        assert res.checkpoints[-1] == res.n_updates == len(res.path) - 1
        assert res.train_losses[-1] == problem.value(res.theta) <= blowup


def test_max_updates_on_a_diverged_iterate_reports_divergence(problem):
    # found by the property above: a run stopped by max_updates at an iterate whose loss
    # is beyond the threshold used to end "finished", keeping that iterate, without a
    # final checkpoint
    free = train(problem, SGD(lr=3.0), epochs=5, batch_size=10, shuffle=False, blowup=1e30,
                 record_path=True)
    t = int(np.argmax([problem.value(th) > 1e4 for th in free.path]))
    assert t > 1 and t % 11 != 0  # within an epoch
    res = train(problem, SGD(lr=3.0), epochs=5, batch_size=10, shuffle=False, blowup=1e4,
                max_updates=t)
    assert res.diverged and res.diverged_at == t
    np.testing.assert_array_equal(res.theta, free.path[t - 1])


def test_replacement_with_the_whole_set_is_not_labelled_full_batch(problem):
    res = train(problem, SGD(lr=0.01), batch_size=103, replacement=True)
    assert res.label == "SGD, B = 103"
    assert train(problem, SGD(lr=0.01), batch_size=103).label == "SGD, full batch"


def test_progress_estimate_counts_only_the_epochs_max_updates_allows(problem, capsys):
    # a huge epochs with a small max_updates is a short run: no progress bar
    train(problem, SGD(lr=0.01), epochs=10**9, max_updates=3)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("schedule", [lambda t: math.nan, lambda t: -0.1, lambda t: math.inf,
                                      lambda t: "0.1"])
def test_a_schedule_returning_a_bad_rate_names_lr_schedule(problem, schedule):
    with pytest.raises(ValueError, match="lr_schedule"):
        train(problem, SGD(lr=0.01), epochs=2, batch_size=10, lr_schedule=schedule)


def test_a_schedule_may_decay_to_zero(problem):
    res = train(problem, SGD(lr=0.01), epochs=1, batch_size=10, lr_schedule=lambda t: 0.0)
    np.testing.assert_array_equal(res.theta, problem.start)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dtype=np.complex128), "dtype must be float32 or float64"),
        (dict(dtype=np.int64), "dtype must be float32 or float64"),
        (dict(dtype=np.float16), "dtype must be float32 or float64"),
        (dict(blowup=math.nan), "blowup must be"),
        (dict(blowup=-1.0), "blowup must be"),
        (dict(blowup="big"), "blowup must be"),
        (dict(seed=None), "seed must be an integer >= 0"),
        (dict(seed=-1), "seed must be an integer >= 0"),
        (dict(seed=1.5), "seed must be an integer >= 0"),
        (dict(start=np.array([1j, 0, 0, 0])), "start must be an array of real numbers"),
        (dict(start=np.array([None, 0, 0, 0])), "start must be an array of real numbers"),
        (dict(start=np.array([np.nan, 0, 0, 0])), "start must be finite in float64"),
        (dict(start=np.full(4, 1e39), dtype=np.float32), "start must be finite in float32"),
        (dict(drop_last="no"), "drop_last must be True or False"),
        (dict(record_path=1), "record_path must be True or False"),
        (dict(eval_data=(np.ones((3, 4)), np.ones(2))), "one target per row"),
        (dict(dtype="garbage"), "dtype must be float32 or float64"),
        (dict(dtype=None), "dtype must be float32 or float64"),
    ],
)
def test_more_bad_arguments_name_the_parameter(problem, kwargs, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ValueError, not a ComplexWarning first
        with pytest.raises(ValueError, match=match):
            train(problem, SGD(lr=0.01), batch_size=10, **kwargs)


def test_train_leaves_the_callers_arrays_alone(problem):
    X, y, start = problem.X.copy(), problem.y.copy(), np.ones(4)
    model = LeastSquares(X, y)
    for kw in (dict(), dict(replacement=True), dict(shuffle=False, dtype=np.float32)):
        train(model, Adam(lr=0.1), epochs=2, batch_size=10, start=start, record_path=True,
              eval_data=(X, y), **kw)
    np.testing.assert_array_equal(X, problem.X)
    np.testing.assert_array_equal(y, problem.y)
    np.testing.assert_array_equal(start, np.ones(4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_divergence_of_every_model_is_silent(dtype):
    from optbook.data import digits, linear_regression_data
    from optbook.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

    d = digits(seed=0)
    X, y = d.X_train[:200], d.y_train[:200]
    reg = linear_regression_data(n=200, d=5, seed=0)
    models = [LinearRegression(reg.X_train, reg.y_train),
              LogisticRegression(X, (y == 3).astype(float)),
              SoftmaxRegression(X, y, n_classes=10),
              MLP(X, y, hidden=(8,), n_classes=10),
              MLP(X, y, hidden=(8, 8), activation="relu", n_classes=10)]
    for model in models:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = train(model, SGD(lr=1e8), epochs=3, batch_size=16, dtype=dtype, blowup=1e6,
                        eval_data=(model.X, model.y), record_path=True)
        assert res.diverged, model.name
        assert np.all(np.isfinite(res.theta)) and res.theta.dtype == dtype
