"""The learner's JupyterLab in a real browser: plots, widgets, a progress bar and nbgrader's Validate button.

A real ``jupyter lab`` from this environment serves a temporary copy of two chapters on a free loopback port with a
random token; headless Chromium (Debian's, driven by playwright) runs them. Screenshots go to ``screenshots/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course import status
from course.chapters import Chapter, chapters

from .conftest import CHROMIUM, ROOT, answer

SHOTS = ROOT / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (make setup installs it)"
    if not Path(CHROMIUM).exists():
        return (f"Chromium is not at {CHROMIUM}: `apt-get install chromium` (make test does it when run as root), "
                "or point COURSE_CHROMIUM at a Chrome or Chromium binary")
    return None


def _skip_or_fail(why: str) -> None:
    """Skip with the missing piece named; on CI a missing browser is a failure, not a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run on CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a learner's course folder (config, release/, the START.md landing page) holding
    also the released chapter 04 with its exercises answered, and chapter 01 answered and blank."""
    if why := _missing():
        _skip_or_fail(why)
    work = tmp_path_factory.mktemp("lab")
    shutil.copy2(ROOT / "nbgrader_config.py", work / "nbgrader_config.py")
    shutil.copytree(ROOT / "release", work / "release", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    statuses = [status.read_status(chapter) for chapter in chapters(work)]
    (work / "START.md").write_text(status.landing_page(statuses, work))
    for slug, name in (("04_backprop_mlp", "solved04"), ("01_linear_algebra", "solved01")):
        chapter = Chapter(slug, ROOT)
        solved = answer(nbformat.read(chapter.release, as_version=4), nbformat.read(chapter.source, as_version=4))
        nbformat.write(solved, work / f"{name}.ipynb")
    shutil.copy2(ROOT / "release" / "01_linear_algebra" / "01_linear_algebra.ipynb", work / "blank01.ipynb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = {**os.environ, "COURSE_SMOKE": "1", "NBGRADER_EXCHANGE": str(work / ".exchange")}
    env.pop("COURSE_HEADLESS", None)
    jupyter = Path(sys.executable).with_name("jupyter")
    log = (work / "lab.log").open("w")
    proc = subprocess.Popen([str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--ServerApp.token={token}", f"--ServerApp.root_dir={work}", "--allow-root",
                             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("jupyter lab did not start:\n" + (work / "lab.log").read_text()[-2000:])
    yield base, token
    proc.terminate()
    proc.wait(timeout=30)


KERNEL_IDLE = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']"


def _open(browser, lab, name: str, ready: str = KERNEL_IDLE):
    """A page showing only `name`: a fresh workspace each time, or JupyterLab restores the notebooks opened by
    earlier tests in hidden tabs, and a selector may then find a button or slider of the wrong notebook."""
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    workspace = f"{Path(name).stem}-{secrets.token_hex(4)}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?token={token}&reset")
    page.wait_for_selector(ready, timeout=120_000)
    assert page.locator(".jp-NotebookPanel").count() <= 1, "another notebook was restored beside " + name
    return page


def _dismiss_dialogs(page) -> None:
    """Close a dialog JupyterLab may raise on its own (e.g. a kernel it restarted), so it cannot block clicks."""
    for _ in range(3):
        time.sleep(1)
        if not page.locator(".jp-Dialog").count():
            return
        print("dismissing dialog:", page.locator(".jp-Dialog").inner_text()[:300])
        page.keyboard.press("Escape")


def _prompts(page) -> list[str]:
    return page.locator(".jp-Cell .jp-InputArea-prompt").all_inner_texts()


def _run_all(page, timeout: float = 300) -> None:
    """Run All through the menu bar, retrying once: the first Run All after a kernel starts is sometimes lost."""
    for _ in range(3):
        _dismiss_dialogs(page)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click(timeout=10_000)
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click(timeout=10_000)
        start = time.monotonic()
        while time.monotonic() - start < 15 and all(p.strip() in ("", "[ ]:") for p in _prompts(page)):
            time.sleep(0.5)
        if not all(p.strip() in ("", "[ ]:") for p in _prompts(page)):
            break
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = any("*" in p for p in _prompts(page))
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if not busy and idle:
            return
        time.sleep(1)
    raise AssertionError("Run All did not finish")


def _wait_for_change(image, before: str | None, timeout: float = 90) -> None:
    """Poll from Python (headless wait_for_function can hang) until the widget's figure is redrawn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if image.count() and image.get_attribute("src") != before:
            return
        time.sleep(0.5)
    raise AssertionError("the widget's figure did not change")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_a_solved_chapter_renders_plots_widgets_and_progress_bars(lab, browser):
    page = _open(browser, lab, "solved04.ipynb")
    _run_all(page)
    _shot(page, "04_backprop_mlp-after-run-all")
    assert page.locator(".jp-OutputArea-output img[src^='data:image/png']").count() >= 3, "no rendered plots"
    assert page.locator(".jupyter-widgets.widget-hprogress").count() >= 1, "no tqdm progress-bar widget"
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] :text('Error')")
    assert errors.count() == 0
    button = page.locator(".jupyter-widgets button:has-text('Train')").first
    button.scroll_into_view_if_needed()
    output = button.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]//img").first
    before = output.get_attribute("src")
    button.click()
    _wait_for_change(output, before)
    _shot(page, "04_backprop_mlp-train-widget")
    page.close()


def test_a_slider_redraws_its_figure(lab, browser):
    page = _open(browser, lab, "solved01.ipynb")
    _run_all(page)
    slider = page.locator(".jupyter-widgets.widget-slider").first
    slider.scroll_into_view_if_needed()
    box = slider.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
    image = box.locator("img").first
    before = image.get_attribute("src")
    readout = slider.locator(".widget-readout")
    old_value = readout.inner_text()
    slider.locator(".noUi-handle").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _wait_for_change(image, before)
    assert readout.inner_text() != old_value
    _shot(page, "01_linear_algebra-slider")
    page.close()


@pytest.mark.parametrize(("name", "expect"), [("blank01.ipynb", "failed"), ("solved01.ipynb", "passed")])
def test_validate_button_reports_the_expected_result(lab, browser, name, expect):
    page = _open(browser, lab, name)
    page.click(".jp-NotebookPanel-toolbar .validate-button", timeout=30_000)
    dialog = page.locator(".jp-Dialog-content")
    dialog.wait_for(timeout=180_000)
    text = dialog.inner_text().lower()
    _shot(page, f"validate-{name.removesuffix('.ipynb')}")
    if expect == "failed":
        assert "failed" in text or "error" in text, text[:500]
    else:
        assert "success" in text or "passed" in text, text[:500]
    page.close()


def test_the_landing_page_lists_every_chapter_and_opens_it(lab, browser):
    page = _open(browser, lab, "START.md", ready=".jp-RenderedMarkdown table")
    rows = page.locator(".jp-RenderedMarkdown table tbody tr")
    assert rows.count() == len(chapters(ROOT))
    first = rows.first.inner_text()
    assert "Linear algebra" in first and "0/7" in first and "not started" in first
    assert page.locator(".jp-RenderedMarkdown li", has_text="np.einsum").count() >= 1, "objectives are listed"
    _shot(page, "landing-page")
    rows.first.locator("a").click()
    page.wait_for_selector(KERNEL_IDLE, timeout=120_000)
    # The kernel may report idle before the notebook's cells are rendered: wait for the title, don't count it.
    title = page.locator(".jp-NotebookPanel .jp-MarkdownCell", has_text="Linear algebra with NumPy").first
    title.wait_for(state="visible", timeout=60_000)
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="01_linear_algebra.ipynb").first.wait_for(timeout=10_000)
    _shot(page, "landing-page-opened-chapter-01")
    page.close()
