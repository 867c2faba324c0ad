"""`make pdf`: the book printed by Chromium from the built site (tools/make_pdf.py).

Builds the PDF into a temporary folder, then reads it back with pypdf: one bookmark per toc
page, each on the sheet where that page's title starts (pages start on a new sheet), every
chapter title present as extractable text, math typeset (no raw TeX), steppers printed as a
still (their first frame, without the player's buttons).
"""
from __future__ import annotations

import re
import sys
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import site_browser  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def printed(request, tmp_path_factory):
    """(the PDF's path, the raw text of every sheet). pypdf's text extraction costs about as
    much as Chromium's printing, so it runs in a second process, one page behind the printer:
    the sheets of page i are read while page i + 1 is printed (each page's own PDF holds the
    same sheets, in the same order, as the joined book)."""
    problem = site_browser.missing_prerequisite()
    if problem:   # `make test` installs chromium with apt-get when it runs as root
        pytest.skip(problem)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import make_pdf

    # spawn: the browser's driver threads are running, and fork would copy them half-held
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as reader:
        pending = []
        out = make_pdf.build_pdf(tmp_path_factory.mktemp("pdf") / "book.pdf",
                                 browser=request.getfixturevalue("chromium"),   # the session's
                                 each_page=lambda b: pending.append(reader.submit(make_pdf.sheet_texts, b)))
        texts = [text for job in pending for text in job.result()]
    return out, texts


@pytest.fixture(scope="module")
def pdf(printed):
    from pypdf import PdfReader

    return printed[0], PdfReader(printed[0])


@pytest.fixture(scope="module")
def sheets(pdf, printed) -> list[str]:
    """The text of every sheet, squashed; as many as the joined PDF has sheets."""
    assert len(printed[1]) == len(pdf[1].pages)
    return [_squash(text) for text in printed[1]]


def _squash(text: str) -> str:
    # a hyphenated word broken at the line end extracts as "character- level"
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text)).strip().lower()


def _title(text: str) -> str:
    """A page title without its section number ("1. Unfolding" -> "unfolding")."""
    return _squash(re.sub(r"^\s*[\d.]+\s+", "", text))


def test_one_bookmark_per_page_each_starting_a_sheet(pdf, sheets):
    out, reader = pdf
    pages = site_browser.toc_pages()
    marks = reader.outline
    assert len(marks) == len(pages)
    starts = [reader.get_destination_page_number(m) for m in marks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts) and starts[0] == 0
    assert len(reader.pages) > len(pages) * 2
    for mark, start in zip(marks, starts):
        first_sheet = sheets[start]
        assert _title(mark.title)[:30] in first_sheet, (mark.title, first_sheet[:200])


def test_every_chapter_title_is_in_the_text(sheets):
    text = " ".join(sheets)
    for page_path in site_browser.toc_pages():
        html = (site_browser.HTML / page_path).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        title = _title(unescape(title).split(" \u2014 ")[0])
        assert title[:30] in text, f"{page_path}: title {title!r} not in the PDF's text"
    assert "vanishing" in text and "backpropagation through time" in text
    # untypeset math would print its delimiters (code cells may contain TeX, not these)
    assert "\\(" not in text and "\\[" not in text and "$$" not in text, "raw TeX: math not typeset"
    assert "previous frame" not in text, "the steppers' buttons were printed"
