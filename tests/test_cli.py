import pytest

from course import cli, device

from .toy import make_course


def test_run_with_missing_cuda_fails_at_once(monkeypatch, capsys):
    monkeypatch.setattr(device, "available_devices", lambda: ["cpu"])
    assert cli.main(["run", "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert "DEVICE='cuda' was requested" in err and "available here: cpu" in err


@pytest.mark.notebook
def test_run_prints_the_table_and_fails_when_a_chapter_fails(tmp_path, monkeypatch, capsys):
    root = make_course(tmp_path / "c", {"01_ok": "pass", "02_bad": "1/0"})
    monkeypatch.chdir(root / "source")
    assert cli.main(["run", "1", "--smoke", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "chapter" in out and "01_ok" in out and "ok" in out and "cpu" in out
    assert (root / "outputs" / "smoke" / "01_ok.ipynb").exists()
    assert cli.main(["run", "--smoke", "--jobs", "2", "--output-dir", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "02_bad failed at cell" in out and "ZeroDivisionError" in out


@pytest.mark.notebook
def test_expect_device_catches_a_silent_fallback(tmp_path, monkeypatch, capsys):
    root = make_course(tmp_path / "c", {"01_ok": "pass"})
    monkeypatch.chdir(root)
    assert cli.main(["run", "--smoke", "--expect-device", "cuda"]) == 1
    assert "ran on cpu, expected cuda" in capsys.readouterr().err


def test_unknown_chapter_is_a_clear_error(tmp_path, monkeypatch, capsys):
    root = make_course(tmp_path / "c", {"01_ok": "pass"})
    monkeypatch.chdir(root)
    assert cli.main(["run", "42"]) == 2
    assert "no chapter matches '42'; chapters are: 01_ok" in capsys.readouterr().err


@pytest.mark.grading
def test_release_check_fails_until_release_is_generated(tmp_path, monkeypatch, capsys):
    root = make_course(tmp_path / "c", {"01_ok": "pass"})
    monkeypatch.chdir(root)
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "x"))
    assert cli.main(["release", "--check"]) == 1
    assert "release/01_ok/01_ok.ipynb: missing" in capsys.readouterr().out
    assert cli.main(["release"]) == 0
    assert cli.main(["release", "--check"]) == 0
    assert "in sync" in capsys.readouterr().out


def test_grade_rejects_a_missing_folder(tmp_path, monkeypatch, capsys):
    root = make_course(tmp_path / "c", {"01_ok": "pass"})
    monkeypatch.chdir(root)
    assert cli.main(["grade", str(tmp_path / "nope")]) == 2


def test_doctor_reports_versions_and_device(capsys):
    code = cli.main(["doctor"])
    out = capsys.readouterr().out
    for name in ("python", "torch", "numpy", "nbgrader", "jupyterlab", "device", "kernel"):
        assert name in out
    assert ("Everything needed is in place." in out) == (code == 0)
    if code:
        assert "fix:" in out


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "release", "grade", "doctor"):
        assert command in out


@pytest.mark.notebook
def test_results_runs_full_mode_and_records_what_the_reference_paragraph_quotes(tmp_path, monkeypatch, capsys):
    import nbformat

    from course import results

    root = make_course(tmp_path / "c", {"01_ok": "print(f'accuracy {0.97531:.4f}')", "02_quiet": "pass"})
    path = root / "source" / "01_ok" / "01_ok.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("On the reference run the accuracy was 0.9753."))
    nbformat.write(nb, path)
    monkeypatch.chdir(root)
    table = tmp_path / "results.md"
    assert cli.main(["results", "--output", str(table), "--note", "(a test)"]) == 0
    assert "wrote 1 chapter section(s)" in capsys.readouterr().out
    sections = results.read_sections(table)
    assert list(sections) == ["01_ok"], "only chapters that quote a reference run get a section"
    assert "accuracy 0.9753" in sections["01_ok"] and "smoke=False" in sections["01_ok"]
    assert results.unrecorded(nb, sections["01_ok"]) == []
    nb.cells[-1].source = "On the reference run the accuracy was 0.9812."
    assert [m.number for m in results.unrecorded(nb, sections["01_ok"])] == ["0.9812"]
