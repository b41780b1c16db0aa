"""Concurrent grading runs share one gradebook: registering is exclusive, grading shared, and a run whose sources
are registered already never registers again (the race that broke sharded grading: a late ``generate_assignment
--force`` deleting a notebook a concurrent run had just submitted to).

These run against SQLite here; tests/test_postgres.py runs the same checks against PostgreSQL's advisory locks."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from course.grading.commands import GradingError, GradingStopped
from course.grading.registration import registered


class FakeNbgrader:
    """``register`` as ``generate_assignment`` would: the assignment's row in nbgrader's table, and a call count."""

    def __init__(self, db_url: str):
        self.engine = create_engine(db_url)
        self.calls: list[str] = []

    def __call__(self, name: str) -> None:
        self.calls.append(name)
        with self.engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS assignment (name VARCHAR(128) PRIMARY KEY)"))
            conn.execute(text("DELETE FROM assignment WHERE name = :n"), {"n": name})
            conn.execute(text("INSERT INTO assignment (name) VALUES (:n)"), {"n": name})

    def remove(self, name: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM assignment WHERE name = :n"), {"n": name})


def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def check_registers_once_per_source(db_url: str, root: Path) -> None:
    nbgrader = FakeNbgrader(db_url)
    for _ in range(2):
        with registered(db_url, root, {"01_first": "v1"}, nbgrader):
            pass
    assert nbgrader.calls == ["01_first"], "a second run of the same source registered it again"
    with registered(db_url, root, {"01_first": "v2", "02_second": "v1"}, nbgrader):
        pass
    assert nbgrader.calls == ["01_first", "01_first", "02_second"], "a changed or new source was not registered"
    nbgrader.remove("02_second")
    with registered(db_url, root, {"02_second": "v1"}, nbgrader):
        pass
    assert nbgrader.calls[-1] == "02_second", "an assignment removed from the gradebook was not registered again"


def check_registering_waits_for_grading(db_url: str, root: Path) -> None:
    nbgrader = FakeNbgrader(db_url)
    graded: list[str] = []
    said: list[str] = []
    together = threading.Barrier(2, timeout=15)

    def run(name: str, source: str, stopper=None, beside_another: bool = False) -> None:
        try:
            with registered(db_url, root, {"01_first": source}, nbgrader, stopper, said.append):
                graded.append(name)
                if beside_another:
                    together.wait()
        except GradingStopped:
            graded.append(f"{name} stopped")
        except threading.BrokenBarrierError:
            graded.append(f"{name} alone")

    with registered(db_url, root, {"01_first": "v1"}, nbgrader):
        _in_thread(lambda: run("same source", "v1")).join(timeout=10)
        assert graded == ["same source"], "a run with the registered source waited for another run's grading"
        changed = [_in_thread(lambda n=n: run(f"changed {n}", "v2", beside_another=True)) for n in (1, 2)]
        stopper = SimpleNamespace(signum=None)
        stopped = _in_thread(lambda: run("stopped", "v3", stopper))
        time.sleep(2.5)
        assert graded == ["same source"] and nbgrader.calls == ["01_first"], \
            "an assignment was registered again while another run was grading it"
        assert any("older source" in line for line in said), f"a waiting run did not say why: {said}"
        stopper.signum = 15
        stopped.join(timeout=10)
        assert graded == ["same source", "stopped stopped"], "a run waiting for the lock ignored SIGTERM"
    for thread in changed:
        thread.join(timeout=30)
    assert sorted(graded[2:]) == ["changed 1", "changed 2"], \
        f"two runs of the same new source did not grade side by side once one had registered it: {graded}"
    assert nbgrader.calls == ["01_first", "01_first"], "the new source was registered more than once"


def test_registers_once_per_source(tmp_path):
    check_registers_once_per_source(f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path)


def test_registering_waits_for_grading_and_grading_runs_side_by_side(tmp_path):
    check_registering_waits_for_grading(f"sqlite:///{tmp_path / 'gradebook.db'}?timeout=30", tmp_path)


def test_a_registration_that_never_holds_is_an_error_not_a_loop(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    nbgrader = FakeNbgrader(url)

    def register_elsewhere(name: str) -> None:  # as if generate_assignment named it differently
        nbgrader(f"{name}-renamed")

    with pytest.raises(GradingError, match="keeps changing"), \
            registered(url, tmp_path, {"01_first": "v1"}, register_elsewhere):
        pass
    assert len(nbgrader.calls) == 5
