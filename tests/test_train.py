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


def _problem(torch, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(64, 3, generator=g)
    y = (X.sum(dim=1) > 0).long()
    data = list(zip(X.split(16), y.split(16)))
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    return model, data


def test_fit_steps_the_scheduler_after_every_optimiser_step():
    torch = pytest.importorskip("torch")
    from course import train

    model, data = _problem(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    seen = []
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: seen.append(t) or 0.5 ** t)
    history = train.fit(model, data, torch.nn.functional.cross_entropy, opt, epochs=3, scheduler=sched,
                        show_progress=False)
    assert seen == list(range(3 * len(data) + 1))            # built at step 0, then once per step
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 12)
    assert len(history.step_loss) == 12 and history.grad_norm == []
    assert history.train_loss[0] == pytest.approx(np.mean(history.step_loss[:4]))


def test_fit_with_clip_and_a_scheduler_matches_the_hand_written_loop():
    torch = pytest.importorskip("torch")
    from course import train

    F = torch.nn.functional
    runs = []
    for by_hand in (True, False):
        model, data = _problem(torch, seed=3)
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=2 * len(data))
        if by_hand:
            losses, norms = [], []
            for _epoch in range(2):
                for xb, yb in data:
                    loss = F.cross_entropy(model(xb), yb)
                    opt.zero_grad()
                    loss.backward()
                    norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), 0.05)))
                    opt.step()
                    sched.step()
                    losses.append(loss.item())
        else:
            history = train.fit(model, data, F.cross_entropy, opt, epochs=2, scheduler=sched, clip=0.05,
                                show_progress=False)
            losses, norms = history.step_loss, history.grad_norm
        runs.append((losses, norms, [p.detach().clone() for p in model.parameters()]))
    (l1, n1, p1), (l2, n2, p2) = runs
    assert l1 == l2 and n1 == n2 and all(torch.equal(a, b) for a, b in zip(p1, p2))
    assert max(n1) > 0.05                                      # the clip was active


def test_fit_clip_bounds_every_update_and_passes_tuple_inputs():
    torch = pytest.importorskip("torch")
    from course import train

    class TwoInputs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)

        def forward(self, u, v):
            return (self.a(u) + self.b(v)).squeeze(1)

    torch.manual_seed(0)
    model = TwoInputs()
    u, v = torch.randn(32, 2), torch.randn(32, 2)
    target = 100 * (u[:, 0] - v[:, 1])                          # large errors, large gradients
    before = torch.cat([p.detach().flatten() for p in model.parameters()])
    history = train.fit(model, [((u, v), target)], torch.nn.functional.mse_loss,
                        torch.optim.SGD(model.parameters(), lr=1.0), clip=1e-3, show_progress=False)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert history.grad_norm[0] > 1.0 and float((after - before).norm()) <= 1e-3 * (1 + 1e-6)
    loss, _ = train.evaluate(model, [((u, v), target)], torch.nn.functional.mse_loss)
    assert np.isfinite(loss)
