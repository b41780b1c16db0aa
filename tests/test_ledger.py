"""The grading ledger: a rerun grades a submission again exactly when it, or its assignment, changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from course import grading
from course.grading import autograde, ledger


def test_the_hash_follows_content_not_checkpoints_or_times(tmp_path):
    folder = tmp_path / "ann" / "01_first"
    folder.mkdir(parents=True)
    (folder / "01_first.ipynb").write_text("{}")
    before = ledger.content_hash(folder)
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "01_first-checkpoint.ipynb").write_text("old")
    (folder / "01_first.ipynb").touch()
    assert ledger.content_hash(folder) == before
    (folder / "01_first.ipynb").write_text('{"cells": []}')
    assert ledger.content_hash(folder) != before
    (folder / "01_first.ipynb").write_text("{}")
    (folder / "data.csv").write_text("1,2")
    assert ledger.content_hash(folder) != before, "every file of the submission counts"


def test_entries_round_trip_and_a_torn_file_counts_as_not_graded(tmp_path):
    book = ledger.Ledger(tmp_path)
    entry = ledger.Entry("abc", "def", 0, 12.5, False, "log")
    book.write("ann", "01_first", entry)
    assert book.read("ann", "01_first") == entry
    assert book.read("ben", "01_first") is None
    (tmp_path / ".grading" / "ann" / "01_first.json").write_text('{"submission": "ab')
    assert book.read("ann", "01_first") is None
    book.forget("ann", "01_first")
    assert book.read("ann", "01_first") is None


def test_up_to_date_needs_the_same_submission_and_the_same_assignment(tmp_path):
    book = ledger.Ledger(tmp_path)
    subs = [grading.Submission(s, "01_first", tmp_path / s) for s in ("ann", "ben", "cat")]
    hashes = {subs[0]: "h-ann", subs[1]: "h-ben", subs[2]: "h-cat"}
    book.write("ann", "01_first", ledger.Entry("h-ann", "src", 0, 1.0, False, ""))
    book.write("ben", "01_first", ledger.Entry("h-ben-old", "src", 0, 1.0, False, ""))
    book.write("cat", "01_first", ledger.Entry("h-cat", "src-old", 0, 1.0, False, ""))
    found = autograde._up_to_date(subs, book, hashes, {"01_first": "src"})
    assert list(found) == [subs[0]] and found[subs[0]].reused


def test_a_feedback_failure_is_reported_per_submission(tmp_path, monkeypatch):
    subs = [grading.Submission(s, "01_first", tmp_path / s) for s in ("ann", "ben")]
    outcomes = {s: grading.Outcome(s, 0, "", 1.0) for s in subs}

    def partial_feedback(root: Path, assignment, students, db, echo, stopper=None):
        (root / "feedback" / "ann" / assignment).mkdir(parents=True)
        (root / "feedback" / "ann" / assignment / f"{assignment}.html").write_text("<html/>")
        return subprocess.CompletedProcess([], 1, "", "[GenerateFeedbackApp | ERROR] There was an error processing "
                                                     "assignment: ben/01_first")

    monkeypatch.setattr(autograde, "write_feedback", partial_feedback)
    result = autograde._feedback(tmp_path, subs, outcomes, "sqlite://", None, grading.Stopper())
    assert result[("ann", "01_first")] == "written"
    assert result[("ben", "01_first")].startswith("failed: ") and "ben/01_first" in result[("ben", "01_first")]
    row = grading.GradeRow("ben", "01_first", "graded", feedback=result[("ben", "01_first")])
    report = grading.write_report(tmp_path, row).read_text()
    assert "feedback could not be generated" in report and "the scores above stand" in report
    assert "ben/01_first: feedback failed" in grading.format_scores([row])


def test_feedback_the_slots_wrote_is_not_written_again(tmp_path, monkeypatch):
    subs = [grading.Submission(s, "01_first", tmp_path / s) for s in ("ann", "ben")]
    outcomes = {subs[0]: grading.Outcome(subs[0], 0, "", 1.0, feedback="written"),
                subs[1]: grading.Outcome(subs[1], 0, "", 1.0, feedback="failed: disk full")}

    def no_batch(*args, **kwargs):
        raise AssertionError("the batch is for feedback still missing only")

    monkeypatch.setattr(autograde, "write_feedback", no_batch)
    result = autograde._feedback(tmp_path, subs, outcomes, "sqlite://", None, grading.Stopper())
    assert result == {("ann", "01_first"): "written", ("ben", "01_first"): "failed: disk full"}
