"""An assignment's registration in a gradebook that several grading runs (shards) share.

``nbgrader generate_assignment --force`` deletes a notebook's rows and writes them anew when nothing was submitted
for it yet. A concurrent run whose first submission lands in between breaks it: the deletion hits that submission's
foreign key. So registering is exclusive and grading is shared, through one lock per gradebook (a PostgreSQL advisory
lock, or ``flock`` beside a SQLite file). A lock alone would make a shard that starts late wait for every other
shard to finish, so each registration is also recorded with the hash of the source it came from: a run whose sources
are registered already grades at once, and a changed source registers again.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, create_engine, inspect, select, text

from course.config import Echo
from course.grading.commands import GradingError, GradingStopped, Stopper

ADVISORY_KEY = 7277001
POLL_SECONDS = 0.2
TELL_AFTER_SECONDS = 2.0
MAX_ROUNDS = 5

_metadata = MetaData()
registered_sources = Table("course_registered_source", _metadata,
                           Column("assignment", String(128), primary_key=True),
                           Column("source_hash", String(64), nullable=False))


class GradebookLock:
    """Shared or exclusive, waited for in short polls so that SIGINT or SIGTERM stops a run that is waiting."""

    def __init__(self, db_url: str, root: Path, stopper: Stopper | None = None, echo: Echo | None = None):
        self.db_url = db_url
        self.root = root
        self.stopper = stopper
        self.echo = echo
        self.engine = create_engine(db_url)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def hold(self, shared: bool, unless: Callable[[], bool] = lambda: False) -> Iterator[bool]:
        """Yield True once the lock is held, or False (not holding it) as soon as ``unless()`` while waiting."""
        if self.db_url.startswith("postgresql"):
            suffix = "_shared" if shared else ""
            with self.engine.connect() as conn:
                def acquired() -> bool:
                    got = conn.execute(text(f"SELECT pg_try_advisory_lock{suffix}({ADVISORY_KEY})")).scalar()
                    conn.commit()  # the lock is the session's: no transaction stays open while the run grades
                    return bool(got)

                if not self._wait(acquired, shared, unless):
                    yield False
                    return
                try:
                    yield True
                finally:
                    conn.execute(text(f"SELECT pg_advisory_unlock{suffix}({ADVISORY_KEY})"))
                    conn.commit()
        else:
            with open(self.root / ".gradebook.lock", "a") as lock:
                mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
                if not self._wait(lambda: _try(lambda: fcntl.flock(lock, mode)), shared, unless):
                    yield False
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _wait(self, acquired: Callable[[], bool], shared: bool, unless: Callable[[], bool]) -> bool:
        started, told = time.monotonic(), False
        while not acquired():
            if self.stopper is not None and self.stopper.signum is not None:
                raise GradingStopped(self.stopper.signum, [])
            if unless():
                return False
            if self.echo and not told and time.monotonic() - started > TELL_AFTER_SECONDS:
                told = True
                self.echo("waiting for another grading run of this gradebook: it is registering an assignment"
                          if shared else "waiting for the gradebook: another run is registering these assignments, "
                          "or grading one from an older source (a changed source is registered once none does)")
            time.sleep(POLL_SECONDS)
        return True

    def source_of(self, assignment: str) -> str | None:
        """The source hash ``assignment`` was registered from; None before the first registration, when nbgrader
        alone registered it, or when it was removed from the gradebook since: then it is registered once more."""
        if not inspect(self.engine).has_table(registered_sources.name):
            return None
        with self.engine.connect() as conn:
            known = text("SELECT count(*) FROM assignment WHERE name = :name")
            if not conn.execute(known, {"name": assignment}).scalar():
                return None
            return conn.execute(select(registered_sources.c.source_hash)
                                .where(registered_sources.c.assignment == assignment)).scalar()

    def record(self, assignment: str, source_hash: str) -> None:
        """Only after nbgrader made the gradebook: a table of ours in an empty database would make nbgrader take
        it for an old gradebook and skip writing its alembic version."""
        registered_sources.create(self.engine, checkfirst=True)
        with self.engine.begin() as conn:
            conn.execute(registered_sources.delete().where(registered_sources.c.assignment == assignment))
            conn.execute(registered_sources.insert().values(assignment=assignment, source_hash=source_hash))


def _try(lock: Callable[[], None]) -> bool:
    try:
        lock()
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def registered(db_url: str, root: Path, sources: dict[str, str], register: Callable[[str], None],
               stopper: Stopper | None = None, echo: Echo | None = None) -> Iterator[None]:
    """Grade inside this block: every assignment in ``sources`` (name -> source hash) is registered from that source,
    and no other run registers anything until the block ends. ``register(name)`` runs ``generate_assignment``."""
    lock = GradebookLock(db_url, root, stopper, echo)

    def current() -> bool:
        return all(lock.source_of(name) == digest for name, digest in sources.items())

    try:
        for _ in range(MAX_ROUNDS):
            with lock.hold(shared=True):
                if current():
                    yield
                    return
            # Another run may register these very sources and start grading first: then this one grades beside it
            # instead of waiting for it to finish.
            with lock.hold(shared=False, unless=current) as held:
                for name, digest in sorted(sources.items()) if held else []:
                    if lock.source_of(name) != digest:
                        register(name)
                        lock.record(name, digest)
        raise GradingError(f"the gradebook's registration of {', '.join(sorted(sources))} keeps changing: another "
                           "grading run of this gradebook registers it from a different source")
    finally:
        lock.close()
