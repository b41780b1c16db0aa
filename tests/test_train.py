import numpy as np
import pytest


def test_fit_learns_a_separable_problem_and_evaluates():
    torch = pytest.importorskip("torch")
    from course import train
    from course.device import seed_everything

    seed_everything(0)
    X = torch.randn(256, 2)
    y = (X[:, 0] + X[:, 1] > 0).long()
    data = list(zip(X.split(32), y.split(32)))
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    history = train.fit(model, data, torch.nn.functional.cross_entropy, torch.optim.Adam(model.parameters(), 0.05),
                        epochs=15, val_loader=data, show_progress=False)
    assert len(history.train_loss) == 15 and history.train_loss[-1] < history.train_loss[0] / 3
    assert history.val_accuracy[-1] > 0.95
    loss, acc = train.evaluate(model, data, torch.nn.functional.cross_entropy)
    assert acc == pytest.approx(history.val_accuracy[-1]) and np.isfinite(loss)


def test_progress_is_a_plain_iterable_when_disabled():
    from course.train import progress

    assert list(progress(range(3), disable=True)) == [0, 1, 2]


def test_loader_is_seeded_and_types_labels():
    torch = pytest.importorskip("torch")
    from course.train import loader

    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    y = np.arange(10)
    first = [yb.tolist() for _, yb in loader(X, y, batch_size=4, seed=1)]
    again = [yb.tolist() for _, yb in loader(X, y, batch_size=4, seed=1)]
    assert first == again and sorted(sum(first, [])) == list(range(10))
    xb, yb = next(iter(loader(X, y, batch_size=4, shuffle=False)))
    assert xb.dtype == torch.float32 and yb.dtype == torch.int64 and yb.tolist() == [0, 1, 2, 3]
    _, yf = next(iter(loader(X, y.astype(np.float64), shuffle=False)))
    assert yf.dtype == torch.float32
