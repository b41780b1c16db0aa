"""Notebook hygiene for every chapter: how the notebooks are stored and how their exercises are laid out."""

from __future__ import annotations

import re
import unicodedata

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from course.cells import is_answer, is_test, is_written, meta

from .conftest import CHAPTER_IDS, CHAPTERS

GRADE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
NOTEBOOKS = [pytest.param(c.source, id=f"source/{c.slug}") for c in CHAPTERS if c.source.exists()] + [
    pytest.param(c.release, id=f"release/{c.slug}") for c in CHAPTERS
]
SOURCES = [pytest.param(c, id=c.slug) for c in CHAPTERS if c.source.exists()]


def test_there_are_chapters():
    assert CHAPTER_IDS, "no chapters found under source/"
    assert {"01_linear_algebra", "02_least_squares"} <= set(CHAPTER_IDS)
    for chapter in CHAPTERS:
        assert chapter.release.exists(), f"{chapter.slug} has no release/ notebook: run `course release`"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_stored_without_outputs_and_with_the_course_kernel(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"cell {i} has stored output: strip it"
    assert nb.metadata.kernelspec.name == "python3" and nb.metadata.kernelspec.language == "python"
    assert "jupytext" not in nb.metadata, "authoring metadata left in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_nbgrader_metadata_is_valid_and_ids_unique(path):
    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)
    ids = [meta(c)["grade_id"] for c in nb.cells if meta(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    for cell in nb.cells:
        if meta(cell):
            assert meta(cell)["schema_version"] == 3
            assert GRADE_ID.match(meta(cell)["grade_id"]), f"grade_id {meta(cell)['grade_id']!r} is not snake_case"
            if meta(cell).get("grade"):
                assert meta(cell).get("points", 0) > 0, f"{meta(cell)['grade_id']} is graded but has no points"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_parameters_cell_comes_first_and_sets_the_standard_names(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged `parameters`"
    first_exercise = next((i for i, c in enumerate(nb.cells) if meta(c)), len(nb.cells))
    assert tagged[0] < first_exercise
    source = nb.cells[tagged[0]].source
    for name in ("SMOKE", "DEVICE", "SEED"):
        assert re.search(rf"^{name}\s*=", source, flags=re.M), f"parameters cell must set {name}"
    assert re.search(r'^DEVICE\s*=\s*"auto"', source, flags=re.M)
    setup = "\n".join(c.source for c in nb.cells[tagged[0] + 1: first_exercise] if c.cell_type == "code")
    assert "course.setup(DEVICE, SEED, SMOKE)" in setup, "the setup cell must call course.setup"


@pytest.mark.parametrize("chapter", SOURCES)
def test_every_answer_is_followed_by_its_tests(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    answers = [i for i, c in enumerate(code) if is_answer(c)]
    tests = [c for c in code if is_test(c)]
    assert 4 <= len(tests) <= 8, f"{len(tests)} autograded test cells; a chapter has 4 to 8"
    assert any(is_written(c) for c in nb.cells), "a chapter needs a manually graded written answer"
    for i in answers:
        following = code[i + 1] if i + 1 < len(code) else None
        assert following is not None and is_test(following), \
            f"answer {meta(code[i])['grade_id']} must be followed by a test cell with points"
        assert meta(following)["locked"]
    for cell in tests:
        assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source, \
            f"{meta(cell)['grade_id']} has no hidden tests"


@pytest.mark.parametrize("chapter", SOURCES)
def test_markers_only_where_nbgrader_expects_them(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    for i, cell in enumerate(nb.cells):
        if "BEGIN SOLUTION" in cell.source:
            assert meta(cell).get("solution"), f"cell {i}: solution region outside a solution cell"
        if "HIDDEN TESTS" in cell.source:
            assert is_test(cell), f"cell {i}: hidden tests outside a test cell"
        if is_answer(cell):
            assert "### BEGIN SOLUTION" in cell.source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_release_holds_no_solutions_or_hidden_tests(chapter):
    text = chapter.release.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_papermill_understands_every_parameter(chapter):
    import papermill

    nb = nbformat.read(chapter.notebook, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = re.findall(r"^(\w+)\s*=", cell.source, flags=re.M)
    parsed = papermill.inspect_notebook(str(chapter.notebook))
    assert sorted(parsed) == sorted(assigned), "papermill could not parse some parameter lines (a comment with = ?)"


# ---- the text: what a learner reads must render, be finished, and stay true in smoke mode ----------------------

MATH_SPAN = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.S)
# MathJax accepts these, matplotlib's mathtext (our parser) spells them differently or not at all; each rewrite keeps
# what is checked (balanced braces, known symbols, sub/superscripts) and drops only presentation.
MATHJAX_ONLY = [
    (re.compile(r"\\[dt]frac(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\(frac|sqrt)\s*(\\[a-zA-Z]+|[^\s{}\\])"), r"\\\1{\2}"),
    (re.compile(r"\\(frac\{[^{}]*\})\s*(\\[a-zA-Z]+|[^\s{}\\])"), r"\\\1{\2}"),
    (re.compile(r"\\(mathbb|mathcal|mathbf|mathrm|mathsf|mathtt)\s*([A-Za-z0-9])"), r"\\\1{\2}"),
    (re.compile(r"\\[Bb]igg?[lr]?(?![a-zA-Z])"), ""),
    (re.compile(r"\\[lr]Vert(?![a-zA-Z])"), r"\\Vert"),
    (re.compile(r"\\[lr]vert(?![a-zA-Z])"), "|"),
    (re.compile(r"\\ge(?![a-zA-Z])"), r"\\geq"),
    (re.compile(r"\\le(?![a-zA-Z])"), r"\\leq"),
    (re.compile(r"\\texttt(?![a-zA-Z])"), r"\\mathtt"),
    (re.compile(r"\\boldsymbol(?![a-zA-Z])"), r"\\mathbf"),
    (re.compile(r"\\(underbrace|overbrace|[a-z]*style|mathrel|mathop|mathbin)(?![a-zA-Z])"), ""),
]
# A capital letter standing for a name that was never filled in: "P's 3-layer transformer", "P (Raschka's ...)".
PLACEHOLDER = re.compile(r"(?<![\w$.\-/])([A-Z])(?:'s|’s)\b|(?<![\w$.(\-/])([A-Z]) \((?=[A-Z])")
# A measured number followed by a verdict: in smoke mode the number can have either sign, the verdict cannot.
VERDICT_AFTER_NUMBER = re.compile(r"\{[^{}\n]*\}[^\"'{}\n]{0,3}\b(better|worse|faster|slower)\b")


def prose(cell) -> str:
    """A markdown cell without code blocks, inline code and math: the words a learner reads."""
    text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return MATH_SPAN.sub("", text)


def math_spans(cell) -> list[str]:
    text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [m.group(1) or m.group(2) for m in MATH_SPAN.finditer(text)]


def math_error(tex: str) -> str | None:
    """Why mathtext cannot parse ``tex`` (after the MathJax-only rewrites), or None; matrices are not checked."""
    from matplotlib.mathtext import MathTextParser

    if r"\begin{" in tex:
        return None
    tex = " ".join(tex.split())
    for pattern, replacement in MATHJAX_ONLY:
        tex = pattern.sub(replacement, tex)
    try:
        MathTextParser("path").parse(f"${tex}$")
    except ValueError as exc:
        return str(exc).strip().splitlines()[-1]
    return None


def string_literals(source: str) -> str:
    return "\n".join(re.findall(r"\"[^\"\n]*\"|'[^'\n]*'", source))


def code_names(nb) -> set[str]:
    """The identifiers the notebook's code uses outside string literals and hidden tests (``U`` from an SVD, ``G``
    for a generator network): names a learner has seen, so ``G's output`` in a message is not a placeholder."""
    code = "\n".join(re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", c.source, flags=re.S)
                     for c in nb.cells if c.cell_type == "code")
    return set(re.findall(r"\b[A-Za-z_]\w*\b", re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", "", code)))


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_no_control_characters(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        bad = sorted({ch for ch in cell.source if unicodedata.category(ch) == "Cc" and ch != "\n"})
        assert not bad, (f"cell {i} ({cell.cell_type}) holds control characters {bad}: a '\\t' in a Python string "
                         "turns '\\theta' into a tab; write the markdown as a raw string or escape the backslash")


def test_no_control_characters_in_the_package():
    for path in sorted((CHAPTERS[0].root / "course").glob("*.py")):
        bad = sorted({ch for ch in path.read_text() if unicodedata.category(ch) == "Cc" and ch != "\n"})
        assert not bad, f"{path.name} holds control characters {bad}"


@pytest.mark.parametrize("chapter", SOURCES)
def test_math_parses(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    problems = [f"cell {i}: ${tex}$: {err}" for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
                for tex in math_spans(cell) if (err := math_error(tex))]
    assert not problems, "LaTeX that does not parse:\n" + "\n".join(problems)


def test_math_checker_rejects_broken_latex_and_accepts_mathjax_spellings():
    assert math_error(r"\tfrac12\lVert\theta\rVert^2 \le \mathbb E[x]") is None
    assert math_error(r"\frac\lambda2 + \sqrt\varepsilon + \Big(x\Big)") is None
    assert math_error(r"\thta + 1") is not None
    assert math_error(r"\frac{1}{2") is not None
    assert math_error(r"x^{2") is not None


@pytest.mark.parametrize("chapter", SOURCES)
def test_no_placeholder_tokens(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    names = code_names(nb)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found += [f"cell {i}: {m.group(0)!r}" for m in PLACEHOLDER.finditer(prose(cell))]
        elif cell.cell_type == "code":
            found += [f"cell {i}: {m.group(0)!r}" for m in PLACEHOLDER.finditer(string_literals(cell.source))
                      if (m.group(1) or m.group(2)) not in names]
    assert not found, "a capital letter where a name belongs (an unexpanded placeholder?): " + "; ".join(found)


def test_placeholder_check_finds_the_ch10_slip_and_spares_variables():
    assert PLACEHOLDER.search("here is the model that P (Raschka's book) walks through")
    assert PLACEHOLDER.search("P's 3-layer transformer")
    assert not PLACEHOLDER.search("Weidman (W) reports 72.58%, Raschka's book, the $W$'s rows, `U`'s columns")


@pytest.mark.parametrize("chapter", SOURCES)
def test_printed_verdicts_do_not_depend_on_the_sign_of_a_number(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    found = [f"cell {i}: {m.group(0)!r}" for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             for m in VERDICT_AFTER_NUMBER.finditer(cell.source)]
    assert not found, ("a print states a verdict after a measured number; in smoke mode the number can flip sign "
                       "('-57% better'): print the ratio in neutral words instead. " + "; ".join(found))
