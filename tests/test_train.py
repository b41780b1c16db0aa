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
