import gzip
import struct
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

from course import data


def test_digits_is_offline_scaled_and_stratified():
    s = data.digits()
    assert s.X_train.shape[1] == 64 and len(s.X_train) + len(s.X_test) == 1797
    assert s.X_train.min() >= 0.0 and s.X_train.max() <= 1.0
    assert set(np.unique(s.y_test)) == set(range(10))
    images = data.digits(images=True, n=200)
    assert images.X_train.shape[1:] == (8, 8) and len(images.X_train) + len(images.X_test) == 200


def test_splits_are_reproducible():
    a, b = data.digits(seed=1), data.digits(seed=1)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.y_train, data.digits(seed=2).y_train)


def test_polynomial_follows_its_coefficients():
    x, y = data.polynomial(n=2000, noise=0.0, coefs=(2, 1, 2))
    assert np.all(np.diff(x) >= 0)
    np.testing.assert_allclose(y, 2 + x + 2 * x**2)
    _, noisy = data.polynomial(n=2000, noise=0.1)
    assert 0.08 < np.std(noisy - (2 + x + 2 * x**2)) < 0.12


@pytest.mark.parametrize("make", [data.moons, data.blobs, data.spirals])
def test_toy_classification_sets(make):
    X, y = make(seed=0)
    assert X.ndim == 2 and X.shape[1] == 2 and len(X) == len(y)
    assert y.dtype == np.int64 and len(np.unique(y)) >= 2
    np.testing.assert_array_equal(make(seed=0)[0], X)


def test_ring_of_gaussians_stays_near_its_modes():
    X, centers = data.ring_of_gaussians(n=500, modes=8, radius=2.0, std=0.02)
    dist = np.min(np.linalg.norm(X[:, None] - centers[None], axis=2), axis=1)
    assert centers.shape == (8, 2) and dist.max() < 0.2


def test_diabetes_regression_split():
    s = data.diabetes()
    assert s.X_train.shape[1] == 10 and s.y_train.dtype == np.float64


def _write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_mnist_reads_local_idx_files(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28))
    labels = rng.integers(0, 10, 5)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    X, y = data.mnist("test", root=tmp_path)
    assert X.shape == (5, 28, 28) and X.dtype == np.float32
    np.testing.assert_allclose(X * 255, images)
    np.testing.assert_array_equal(y, labels)


def test_mnist_never_downloads_unless_asked(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to download")

    monkeypatch.setattr(data.urllib.request, "urlretrieve", no_network)
    with pytest.raises(data.DatasetMissing, match="download=True"):
        data.mnist("train", root=tmp_path)


def test_read_idx_rejects_truncated_files(tmp_path):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, 1) + struct.pack(">I", 10) + bytes(3))
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(path)


def test_california_housing_needs_explicit_download(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "DATA_HOME", tmp_path)
    with pytest.raises(data.DatasetMissing, match="download=True"):
        data.california_housing()


def test_tokenize_keeps_words_and_apostrophes():
    assert data.tokenize("Don't panic: 42 ways, A-B!") == ["don't", "panic", "ways", "a", "b"]


def test_stdlib_text_is_offline_deterministic_and_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA_HOME", tmp_path)
    first = data.stdlib_text(max_chars=50_000)
    assert len(first) == 50_000 and len(data.tokenize(first)) > 5_000
    assert list(tmp_path.glob("stdlib-docstrings-*.txt")), "the corpus is cached on disk"
    assert data.stdlib_text(max_chars=50_000) == first
    assert "def " in data.stdlib_text("source", max_chars=100_000)
    with pytest.raises(ValueError):
        data.stdlib_text("poetry")


def test_stdlib_corpus_is_the_same_in_a_kernel_and_outside_it():
    """Jupyter kernels run with ``-X frozen_modules=off``, pytest and ``python`` without it; and a venv's setuptools
    puts its own ``distutils`` first on the import path. Neither may change the corpus."""
    code = "from course import data; print(*data._stdlib_files(), sep='\\n')"
    lists = [subprocess.run([sys.executable, f"-Xfrozen_modules={flag}", "-c", code], capture_output=True,
                            text=True, check=True).stdout.splitlines() for flag in ("on", "off")]
    assert lists[0] == lists[1]
    stdlib = Path(sysconfig.get_path("stdlib"))
    assert all(Path(f).is_relative_to(stdlib) for f in lists[0]), "a file from outside the standard library"
    assert str(stdlib / "abc.py") in lists[0], "a frozen module is missing"


def test_planted_corpus_plants_its_analogies():
    corpus = data.planted_corpus(n_sentences=4000, seed=0)
    words = {w for s in corpus.sentences for w in s}
    assert all(set(a) <= words for a in corpus.analogies)
    assert ("king", "queen", "man", "woman") in corpus.analogies
    assert ("france", "paris", "italy", "rome") in corpus.analogies
    again = data.planted_corpus(n_sentences=4000, seed=0)
    assert again.sentences == corpus.sentences


def test_planted_corpus_tells_every_word_apart():
    """Words with identical context sets are interchangeable, which would cap strict analogy accuracy at chance."""
    contexts: dict[str, set[str]] = {}
    for sentence in data.planted_corpus(n_sentences=4000, seed=0).sentences:
        for w in sentence:
            contexts.setdefault(w, set()).update(u for u in sentence if u != w)
    related = {w for pair in data.GENDER_PAIRS + data.CAPITALS for w in pair}
    signatures = [frozenset(contexts[w]) for w in related]
    assert len(set(signatures)) == len(related)


def test_dates_are_valid_iso_targets():
    import datetime

    pairs = data.dates(300, seed=1)
    for human, iso in pairs:
        day = datetime.date.fromisoformat(iso)
        assert str(day.year) in human
    assert len({h for h, _ in pairs}) > 250 and data.dates(300, seed=1) == pairs


@pytest.mark.parametrize(("task", "check"), [("reverse", lambda s, t: t == s[::-1]),
                                             ("sort", lambda s, t: t == "".join(sorted(s))),
                                             ("copy", lambda s, t: s == t)])
def test_sequence_tasks(task, check):
    pairs = data.sequence_task(task, n=50, min_len=2, max_len=6, seed=0)
    assert all(check(s, t) and 2 <= len(s) <= 6 for s, t in pairs)
    with pytest.raises(ValueError):
        data.sequence_task("shuffle")
