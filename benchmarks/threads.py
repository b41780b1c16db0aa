"""Training speed with torch's default thread count against the count ``course.setup`` chooses, alone and shared.

    python benchmarks/threads.py [--scale 1.0] [--families 05 07 ...] [--write docs/threads.md]

One short training workload per chapter family (the shapes of that chapter's training cell, fewer steps) runs in a
fresh Python process, four ways: with the library defaults (torch and BLAS start a thread per core) and with the
threads ``course.device.choose_threads`` picks, each alone and beside one CPU-bound neighbour (a busy loop in
another process, the way a second kernel or another user's job shares a machine). Prints a table of seconds per
workload; ``--write`` also saves it as Markdown with the machine it was measured on.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "COURSE_JOBS")


def _mlp_numpy(steps: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((1024, 64)), rng.integers(0, 10, 1024)
    W1, W2 = rng.standard_normal((64, 256)) * 0.1, rng.standard_normal((256, 10)) * 0.1
    for _ in range(steps):
        idx = rng.integers(0, 1024, 128)
        h = np.maximum(X[idx] @ W1, 0)
        s = h @ W2
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(128), y[idx]] -= 1
        dh = (p @ W2.T) * (h > 0)
        W2 -= 0.01 * h.T @ p
        W1 -= 0.01 * X[idx].T @ dh


def _torch_loop(model, batch, loss_fn, steps: int) -> None:
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model, batch).backward()
        opt.step()


def _cnn(steps: int) -> None:
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 4 * 4, 10))
    batch = (torch.randn(64, 1, 16, 16), torch.randint(0, 10, (64,)))
    _torch_loop(model, batch, lambda m, b: nn.functional.cross_entropy(m(b[0]), b[1]), steps)


def _embeddings(steps: int) -> None:
    import torch
    from torch import nn

    torch.manual_seed(0)
    vin, vout = nn.Embedding(5000, 100), nn.Embedding(5000, 100)
    model = nn.ModuleList([vin, vout])
    centre, context, negative = torch.randint(0, 5000, (512,)), torch.randint(0, 5000, (512,)), \
        torch.randint(0, 5000, (512, 5))

    def loss(m, _):
        v = vin(centre)
        pos = (v * vout(context)).sum(1)
        neg = torch.bmm(vout(negative), v.unsqueeze(2)).squeeze(2)
        return -(nn.functional.logsigmoid(pos).mean() + nn.functional.logsigmoid(-neg).sum(1).mean())

    _torch_loop(model, None, loss, steps)


def _lstm(steps: int) -> None:
    import torch
    from torch import nn

    torch.manual_seed(0)

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.lstm, self.out = nn.Embedding(60, 32), nn.LSTM(32, 128, batch_first=True), \
                nn.Linear(128, 60)

        def forward(self, x):
            return self.out(self.lstm(self.embed(x))[0])

    x, y = torch.randint(0, 60, (32, 64)), torch.randint(0, 60, (32, 64))
    _torch_loop(CharLM(), (x, y), lambda m, b: nn.functional.cross_entropy(m(b[0]).reshape(-1, 60),
                                                                           b[1].reshape(-1)), steps)


def _transformer(steps: int) -> None:
    import torch
    from torch import nn

    torch.manual_seed(0)

    class DateModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(40, 64)
            self.core = nn.Transformer(64, 4, 2, 2, 128, dropout=0.0, batch_first=True)
            self.out = nn.Linear(64, 40)

        def forward(self, src, tgt):
            mask = self.core.generate_square_subsequent_mask(tgt.shape[1])
            return self.out(self.core(self.embed(src), self.embed(tgt), tgt_mask=mask))

    src, tgt = torch.randint(0, 40, (64, 24)), torch.randint(0, 40, (64, 11))
    _torch_loop(DateModel(), (src, tgt), lambda m, b: nn.functional.cross_entropy(
        m(b[0], b[1][:, :-1]).reshape(-1, 40), b[1][:, 1:].reshape(-1)), steps)


def _autoencoder(steps: int) -> None:
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 8), nn.Linear(8, 128), nn.ReLU(),
                          nn.Linear(128, 64), nn.Sigmoid())
    x = torch.rand(128, 64)
    _torch_loop(model, x, lambda m, b: nn.functional.mse_loss(m(b), b), steps)


# family: (what it stands for, workload, steps at --scale 1: about a second with one thread on the reference machine)
WORKLOADS = {
    "05": ("ch05 NumPy MLP (BLAS)", _mlp_numpy, 600),
    "07": ("ch06-07 small CNN", _cnn, 40),
    "08": ("ch08 skip-gram embeddings", _embeddings, 30),
    "09": ("ch09 LSTM language model", _lstm, 15),
    "10": ("ch10 date transformer", _transformer, 8),
    "11": ("ch11-12 MLP autoencoder / GAN", _autoencoder, 200),
}


def worker(family: str, mode: str, scale: float) -> None:
    """Run one workload in this (fresh) process and print ``seconds threads`` for the parent to read."""
    if mode == "chosen":
        sys.path.insert(0, str(ROOT))
        from course import device

        if family != "05":
            import torch  # noqa: F401 - imported first, as the chapters do, so setup's choice applies to it
        choice = device.choose_threads()
        device.apply_threads(choice.threads)
        threads = choice.threads
    else:
        threads = os.cpu_count() or 1
    _, run, steps = WORKLOADS[family]
    steps = max(2, int(steps * scale))
    run(1)
    if family != "05":
        import torch

        threads = torch.get_num_threads()
    start = time.perf_counter()
    run(steps)
    print(f"{time.perf_counter() - start:.3f} {threads}")


def measure(family: str, mode: str, scale: float) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_ENV}
    out = subprocess.run([sys.executable, __file__, "--worker", family, mode, str(scale)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def neighbour() -> subprocess.Popen:
    """One CPU-bound process, started a moment before the measurement so that it is already running."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.5)
    return proc


def machine() -> str:
    sys.path.insert(0, str(ROOT))
    from course import device

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else \
        platform.processor()
    quota = device.cgroup_cpu_limit()
    return (f"{model}; {device.affinity_cpus()} CPUs by affinity (host {os.cpu_count()})"
            f"{f', cgroup quota {quota:g}' if quota else ''}; {platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every workload's number of steps")
    parser.add_argument("--families", nargs="*", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--write", type=Path, help="also write the table as Markdown to this file")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], float(args.worker[2]))
        return

    sys.path.insert(0, str(ROOT))
    from course import device
    from course.notebooks import text_table

    busy_before = device.other_busy_cpus(0.5)
    rows = [("workload", "alone: default", "alone: chosen", "shared: default", "shared: chosen", "shared speed-up")]
    for family in args.families:
        alone = {mode: measure(family, mode, args.scale) for mode in ("default", "chosen")}
        proc = neighbour()
        try:
            shared = {mode: measure(family, mode, args.scale) for mode in ("default", "chosen")}
        finally:
            proc.kill()
            proc.wait()
        cell = {k: f"{t:.2f} s ({n} thr)" for k, (t, n) in
                {**{f"a{m}": v for m, v in alone.items()}, **{f"s{m}": v for m, v in shared.items()}}.items()}
        rows.append((WORKLOADS[family][0], cell["adefault"], cell["achosen"], cell["sdefault"], cell["schosen"],
                     f"{shared['default'][0] / shared['chosen'][0]:.1f}x"))
        print(f"{family}: done", file=sys.stderr, flush=True)
    table = text_table(rows, right={1, 2, 3, 4, 5})
    where = machine()
    note = (f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {where}; "
            f"other processes kept {busy_before:.1f} CPUs busy before the run (the 'alone' columns are only as alone "
            f"as the machine was); --scale {args.scale:g}")
    print(table)
    print(note)
    if args.write:
        md = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        md += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text("# Threads: torch's default against `course.setup`'s choice\n\n"
                              "Generated by `make bench-threads` (`python benchmarks/threads.py --write "
                              f"{args.write}`); seconds for the same training steps, so lower is better.\n\n"
                              + "\n".join(md) + f"\n\n{note[0].upper() + note[1:]}.\n")


if __name__ == "__main__":
    main()
