"""A whole term on a real JupyterHub (``make hub``'s own ``hub/hub.py``), in headless Chromium.

The hub runs on a free loopback port with its own OS accounts (a random prefix, so it never meets ``make hub``'s) and
a one-chapter toy course (tests/toy.py): an instructor and three learners, each logged in through the hub's login
page with the password PAM checks. Everything the term does goes through the browser — the formgrader's buttons
(Generate, Release, Collect, Autograde, manual grading, Generate and Release feedback) and JupyterLab's Assignments
panel (Fetch, Submit, Fetch Feedback) and Validate button — except two things a person does outside the browser
too: the instructor moving the chapter's due date in the course's ``nbgrader_config.py`` (the ``Schedule``), and
reading the feedback HTML, which the test opens at its ``/files/`` URL after clicking "(view feedback)".
Learner 3's attempts to read learner 1's files run as learner 3's own kernel, from a notebook opened in the browser.
Screenshots of every step go to ``screenshots/hub-*.png``. The hub and its accounts are removed at the end with
``hub/hub.py clean`` (``make hub-clean``); the fixture's teardown checks that no account or folder is left.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course import grading
from course.chapters import chapters

from .conftest import ROOT
from .test_browser import SHOTS, _run_all, _skip_or_fail
from .test_browser import _missing as _browser_missing
from .toy import make_course

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.xdist_group("hub")]

HUB_PY = ROOT / "hub" / "hub.py"
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
CHAPTER = "01_first"
COURSE = "dl-course"
ANSWER = "def double(x):\n    return 2 * x\n"
WRITTEN = "Doubling is linear, so 2 * x is all it takes."
COMMENT = "Right, and well put: linear maps scale."
HIDDEN = "double(-3)"  # the hidden test's code, which no learner may see


def _missing() -> str | None:
    if why := _browser_missing():
        return why
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js is missing (the hub's proxy, configurable-http-proxy, runs on it): apt-get install nodejs npm"
    if not PROXY.exists():
        return "configurable-http-proxy is not installed: `make hub-deps` (make test runs it)"
    for tool in ("bwrap", "unshare", "setpriv", "useradd"):
        if shutil.which(tool) is None:
            return f"{tool} is missing (bubblewrap / util-linux / passwd)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, root: Path, port: int, prefix: str, proc: subprocess.Popen, log: Path):
        self.root, self.port, self.prefix, self.proc, self.log = root, port, prefix, proc, log
        self.url = f"http://127.0.0.1:{port}"
        self.passwords = json.loads((root / "state" / "passwords").read_text())
        self.instructor = f"{prefix}instructor"
        self.learners = [f"{prefix}learner{i}" for i in (1, 2, 3)]

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if why := _missing():
        _skip_or_fail(why)
    if os.geteuid() != 0:  # CI runs this module in a step of its own, with sudo
        pytest.skip("the hub creates OS accounts (useradd) and starts servers as them: run as root")
    work = tmp_path_factory.mktemp("hub")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NBGRADER_EXCHANGE", str(work / "release-exchange"))
        course = make_course(work / "course", {CHAPTER: "pass"})
        grading.release(chapters(course), echo=None)
    root = Path(tempfile.mkdtemp(prefix="dl-course-hub-"))
    port, prefix = _free_port(), f"t{secrets.token_hex(2)}-"
    log = work / "hub.log"
    env = {**os.environ, "COURSE_SMOKE": "1"}
    proc = subprocess.Popen([sys.executable, str(HUB_PY), "up", "--root", str(root), "--port", str(port),
                             "--prefix", prefix, "--course", str(course)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/api", timeout=2)
            break
        except OSError:
            time.sleep(1)
    try:
        if proc.poll() is not None or time.monotonic() >= deadline:
            pytest.fail("the hub did not start:\n" + log.read_text()[-4000:])
        yield Hub(root, port, prefix, proc, log)
    finally:
        clean = subprocess.run([sys.executable, str(HUB_PY), "clean", "--root", str(root)], capture_output=True,
                               text=True, timeout=120)
        proc.wait(timeout=60)
        print(clean.stdout, clean.stderr)
        if SHOTS.exists():
            shutil.copy2(log, SHOTS / "hub.log")
        assert clean.returncode == 0, clean.stderr
        assert not root.exists()
        for name in [f"{prefix}instructor"] + [f"{prefix}learner{i}" for i in (1, 2, 3)]:
            with pytest.raises(KeyError):
                pwd.getpwnam(name)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hub-{name}.png"), full_page=False)


# One logged-in page per account, kept for the whole term (a browser context each: cookies of its own).
_PAGES: dict[str, object] = {}


def _login(browser, hub: Hub, user: str):
    if user in _PAGES:
        return _PAGES[user]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    # the hub spawns the server (tens of seconds on a busy 2-core machine), then JupyterLab loads
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/lab"), timeout=240_000)
    page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
    page.wait_for_selector(".lm-MenuBar-itemLabel:text('Nbgrader')", timeout=120_000)
    _PAGES[user] = page
    return page


def _menu(page, top: str, item_command: str) -> None:
    page.locator(f".lm-MenuBar-itemLabel:text('{top}')").click()
    page.locator(f"li[data-command='{item_command}']").click()


def _formgrader(browser, hub: Hub, path: str):
    """The formgrader's own pages (what JupyterLab's Nbgrader → Formgrader tab shows in an iframe), full size."""
    page = _login(browser, hub, hub.instructor)
    fg = _PAGES.get("formgrader")
    if fg is None:
        fg = page.context.new_page()
        fg.set_default_timeout(60_000)
        _PAGES["formgrader"] = fg
    fg.goto(f"{hub.url}/user/{hub.instructor}/formgrader/{path}")
    return fg


def _press(fg, row, *columns: str) -> None:
    """Press the formgrader's buttons in these columns of an assignment's row, in order, each reporting success."""
    for column in columns:
        row.locator(f"td.{column} a").click()
        assert "Success" in _modal(fg)


def _modal(fg, timeout: float = 300_000) -> str:
    """Wait for the formgrader's result dialog, return its text and close it."""
    modal = fg.locator(".modal.in, .modal.show").first
    modal.wait_for(state="visible", timeout=timeout)
    text = modal.inner_text()
    modal.locator("button.close, button:has-text('Close'), button:has-text('OK')").last.click()
    modal.wait_for(state="hidden", timeout=30_000)
    fg.locator(".modal-backdrop").wait_for(state="detached", timeout=30_000)
    return text


def _assignments(page):
    """JupyterLab's Assignments panel (Nbgrader → Assignments), refreshed."""
    tab = page.locator(".lm-TabBar-tab:has-text('Assignments')")
    if not tab.count():
        _menu(page, "Nbgrader", "nbgrader:open-assignment-list")
    else:
        tab.first.click()
    page.locator("#refresh_assignments_list").click()
    page.wait_for_selector("#released_assignments_list_loading", state="hidden", timeout=60_000)
    return page


def _rows(page, which: str, count: int = 1, timeout: float = 120):
    rows = page.locator(f"#{which}_assignments_list > .list_item")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rows.count() >= count:
            return rows
        time.sleep(0.5)
    raise AssertionError(f"{which} assignments: {rows.count()} rows, expected {count}")


def _save(page, attempts: int = 4) -> None:
    """Ctrl+S until the tab is clean: an edit that reaches the notebook's model after a save began (typing, the
    rendered Markdown cell, the kernel's language info) leaves the tab dirty after that save, as for a learner."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
    for attempt in range(attempts):
        page.keyboard.press("Control+s")
        try:
            dirty.wait_for(state="detached", timeout=15_000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def _fetch_and_answer(page, hub: Hub, account: str, user: str, validate: bool) -> None:
    _assignments(page)
    released = _rows(page, "released")
    assert CHAPTER in released.first.inner_text()
    released.first.locator(".item_status button").click()
    fetched = _rows(page, "fetched")
    _shot(page, f"{user}-fetched")
    fetched.first.locator(f"a:text('{CHAPTER}')").first.click()  # expand the assignment's notebooks
    page.locator(f"#fetched_assignments_list .nested_list_item a:text('{CHAPTER}')").first.click()
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=180_000)
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    answer = cells.nth(3)
    answer.scroll_into_view_if_needed()  # JupyterLab renders a cell's editor once it comes into view
    answer.locator(".cm-content", has_text="NotImplementedError").wait_for(timeout=60_000)
    answer.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(ANSWER)
    page.keyboard.press("Escape")
    written = cells.nth(5)
    written.dblclick()
    written.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(WRITTEN)
    page.keyboard.press("Shift+Enter")
    _save(page)
    _shot(page, f"{user}-answered")
    saved = nbformat.read(hub.home(account) / COURSE / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    assert "return 2 * x" in saved.cells[3].source and WRITTEN in saved.cells[5].source, "the answers were not saved"
    if validate:
        page.locator(".jp-NotebookPanel:visible .jp-NotebookPanel-toolbar .validate-button").click()
        dialog = page.locator(".jp-Dialog-content")
        dialog.wait_for(timeout=240_000)
        text = dialog.inner_text().lower()
        _shot(page, f"{user}-validated")
        assert "success" in text or "passed" in text, text[:500]
        page.keyboard.press("Escape")
    _assignments(page)
    _rows(page, "fetched").first.locator(".item_status button:text('Submit')").click()
    submitted = _rows(page, "submitted")
    assert CHAPTER in submitted.first.inner_text()
    _shot(page, f"{user}-submitted")


def step_01_instructor_generates_and_releases_in_the_formgrader(hub, browser):
    page = _login(browser, hub, hub.instructor)
    _shot(page, "instructor-lab")
    assert page.locator(".lm-MenuBar-itemLabel:text('Nbgrader')").count()
    fg = _formgrader(browser, hub, "manage_assignments")
    row = fg.locator(f"tr:has(td.name:has-text('{CHAPTER}'))")
    _press(fg, row, "assign", "release")
    row.locator("td.status:has-text('released')").wait_for()
    _shot(fg, "instructor-released")
    assert (hub.root / "exchange" / COURSE / "outbound" / CHAPTER / f"{CHAPTER}.ipynb").exists()


def step_02_learner1_fetches_answers_validates_and_submits(hub, browser):
    learner = hub.learners[0]
    page = _login(browser, hub, learner)
    assert not page.locator("li[data-command='nbgrader:open-formgrader']").count(), "learners have no formgrader"
    _fetch_and_answer(page, hub, learner, "learner1", validate=True)


def step_03_learner2_submits_after_the_due_date(hub, browser):
    """The instructor moves the chapter's due date in the course's schedule (nbgrader_config.py) to now: learner 1
    submitted before it, learner 2 submits after it, so a started day late: 10%."""
    config = hub.home(hub.instructor) / COURSE / "nbgrader_config.py"
    time.sleep(1.1)  # whole seconds: the due date must fall after learner 1's submission, not within its second
    due = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    with config.open("a") as f:
        f.write(f"\nc.Schedule.due = {{{CHAPTER!r}: {due!r}}}  # moved by the hub test\n")
    time.sleep(2)
    _fetch_and_answer(_login(browser, hub, hub.learners[1]), hub, hub.learners[1], "learner2", validate=False)


def step_04_instructor_collects_and_autogrades(hub, browser):
    fg = _formgrader(browser, hub, "manage_assignments")
    row = fg.locator(f"tr:has(td.name:has-text('{CHAPTER}'))")
    row.locator("td.collect a").click()
    assert "Success" in _modal(fg)
    fg = _formgrader(browser, hub, f"manage_submissions/{CHAPTER}")
    for learner in hub.learners[:2]:
        student = fg.locator(f"tr:has(td.student-id:has-text('{learner}'))")
        student.locator("td.autograde a").click()
        text = _modal(fg)
        assert "Success" in text, text[-2000:]
    fg.reload()
    fg.locator("td.status:has-text('needs manual grading')").first.wait_for()
    _shot(fg, "instructor-autograded")


def step_05_instructor_grades_the_written_answer_and_releases_feedback(hub, browser):
    for learner, comment in zip(hub.learners[:2], (COMMENT, ""), strict=True):
        fg = _formgrader(browser, hub, f"manage_students/{learner}/{CHAPTER}")
        fg.locator(f"td.name a:text('{CHAPTER}')").click()
        # The formgrader binds each field to its grade or comment once both are fetched; a score typed before that
        # is overwritten by the fetched one and never saved.
        fg.wait_for_function("() => typeof formgrader !== 'undefined' && formgrader.grades && formgrader.grades.loaded"
                             " && formgrader.comments && formgrader.comments.loaded", timeout=60_000)
        with fg.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
            fg.fill("input.score#written_why", "1")
            fg.keyboard.press("Tab")  # the formgrader saves a score when its field loses focus
        assert saved.value.ok
        if comment:
            with fg.expect_response(lambda r: "/formgrader/api/comment/" in r.url
                                    and r.request.method == "PUT") as saved:
                fg.fill("textarea#written_why-comment", comment)
                fg.keyboard.press("Tab")
            assert saved.value.ok
        _shot(fg, f"instructor-graded-{learner.removeprefix(hub.prefix)}")
    fg = _formgrader(browser, hub, "manage_assignments")
    row = fg.locator(f"tr:has(td.name:has-text('{CHAPTER}'))")
    _press(fg, row, "generate-feedback", "release-feedback")
    _shot(fg, "instructor-feedback-released")


def _fetch_feedback(page, hub: Hub, account: str, user: str) -> str:
    _assignments(page)
    _rows(page, "submitted").first.locator(".item_status button:text('Fetch Feedback')").click()
    link = page.locator("#submitted_assignments_list a:text('(view feedback)')").first
    link.wait_for(timeout=120_000)
    link.click()
    _shot(page, f"{user}-feedback-fetched")
    found = sorted((hub.home(account) / COURSE / CHAPTER / "feedback").glob(f"*/{CHAPTER}.html"))
    assert found, "no feedback file in the learner's folder"
    relative = found[-1].relative_to(hub.home(account))
    view = page.context.new_page()
    view.goto(f"{hub.url}/user/{account}/files/{urllib.parse.quote(str(relative))}")
    text = view.inner_text("body")
    _shot(view, f"{user}-feedback")
    view.close()
    return text


def step_06_learner1_sees_score_and_comment_but_no_hidden_test(hub, browser):
    text = _fetch_feedback(_login(browser, hub, hub.learners[0]), hub, hub.learners[0], "learner1")
    assert re.search(r"Score:\s*3(\.0+)?\s*/\s*3", text), text[:1500]
    assert COMMENT in text
    assert HIDDEN not in text, "the feedback shows a hidden test"


def step_07_learner2_sees_the_late_penalty(hub, browser):
    text = _fetch_feedback(_login(browser, hub, hub.learners[1]), hub, hub.learners[1], "learner2")
    assert "Late submission penalty" in text, text[:1500]
    # 88 s late is a started day: 10% of the 2 autograded points (nbgrader applies it when autograding)
    assert re.search(r"Late submission penalty \(Score: -0\.2\b", text), text[:1500]
    assert HIDDEN not in text


PROBE = """
import glob, os
for label, path in {paths!r}.items():
    try:
        print(label, "READ", sorted(os.listdir(path))[:5])
    except OSError as e:
        print(label, "DENIED", type(e).__name__)
print("inbound-glob", glob.glob({inbound!r} + "/*"))
"""


def step_08_learner3_cannot_read_learner1s_files_or_submission(hub, browser):
    learner1, learner3 = hub.learners[0], hub.learners[2]
    inbound = str(hub.root / "exchange" / COURSE / "inbound")
    paths = {"home-of-learner1": str(hub.home(learner1)),
             "course-of-learner1": str(hub.home(learner1) / COURSE / CHAPTER),
             "inbound": inbound,
             "feedback-exchange": str(hub.root / "exchange" / COURSE / "feedback"),
             "instructor": str(hub.home(hub.instructor)),
             "solutions": str(ROOT / "source")}
    home3 = hub.home(learner3)
    entry = pwd.getpwnam(learner3)
    probe = home3 / "probe.ipynb"
    nb = new_notebook(cells=[new_code_cell(PROBE.format(paths=paths, inbound=inbound))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, probe)
    os.chown(probe, entry.pw_uid, entry.pw_gid)
    page = _login(browser, hub, learner3)
    page.goto(f"{hub.url}/user/{learner3}/lab/tree/probe.ipynb")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=180_000)
    _run_all(page)  # Run → Run All Cells, retried: the first run after a kernel starts is sometimes lost
    output = page.locator(".jp-NotebookPanel .jp-OutputArea-output").first
    output.wait_for(timeout=60_000)
    text = output.inner_text()
    _shot(page, "learner3-cannot-read")
    for label in paths:  # the checkout's solutions are not even there: the server's view hides the checkout
        assert f"{label} DENIED" in text, text
    assert "inbound-glob []" in text, text
    # nor open learner 1's server through the hub
    response = page.goto(f"{hub.url}/user/{learner1}/lab")
    _shot(page, "learner3-refused-learner1s-server")
    assert response.status == 403 or "403" in page.inner_text("body"), page.inner_text("body")[:500]


STEPS = [
    step_01_instructor_generates_and_releases_in_the_formgrader,
    step_02_learner1_fetches_answers_validates_and_submits,
    step_03_learner2_submits_after_the_due_date,
    step_04_instructor_collects_and_autogrades,
    step_05_instructor_grades_the_written_answer_and_releases_feedback,
    step_06_learner1_sees_score_and_comment_but_no_hidden_test,
    step_07_learner2_sees_the_late_penalty,
    step_08_learner3_cannot_read_learner1s_files_or_submission,
]


def test_a_term_on_the_hub(hub, browser):
    """The whole term, one step after another: each step depends on the ones before it (the due date moves between
    learner 1's and learner 2's submissions), so they are one test that no scheduler can split or reorder. A
    failing step names itself; screenshots/hub-*.png show how far the term got."""
    for step in STEPS:
        try:
            step(hub, browser)
        except Exception as exc:  # a skip or Ctrl-C passes through as it is
            raise AssertionError(f"{step.__name__}: {exc}") from exc
