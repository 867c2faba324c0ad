"""The book as one PDF, for lecturers who print and readers who are offline: `make pdf`.

    .venv/bin/python tools/make_pdf.py [--out _build/pdf/book.pdf]

No LaTeX: every page of the built site (_build/html, in table-of-contents order) is opened in
headless Debian Chromium, served from 127.0.0.1 with every other host blocked; once MathJax
has typeset, mermaid has drawn and the images have loaded, Chromium prints the page (A4) and
pypdf joins the pages into one file with one bookmark per page. Each page starts on a new
sheet. For print, the site's navigation is hidden, and each stepper shows its first frame as
a still (its buttons and slider, useless on paper, are hidden).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

import site_browser

OUT = site_browser.ROOT / "_build" / "pdf" / "book.pdf"

# Print-only CSS: hide the site's chrome, keep the article; steppers become stills.
PRINT_CSS = """
@media print {
  .bd-header, .bd-header-article, .header-article, .bd-sidebar-primary, .bd-sidebar-secondary,
  .bd-footer, .bd-footer-article, .prev-next-area, .bd-footer-content, .skip-link,
  .primary-toggle, .secondary-toggle, .search-button, #pst-back-to-top, .theme-switch-button,
  .sidebar-toggle, .rnnw .rnnw-bar, .rnnw template, .headerlink, .copybtn { display: none !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-page-width { max-width: none !important;
    width: 100% !important; margin: 0 !important; padding: 0 !important; }
  .rnnw, .rnnw .rnnw-view, .rnnw .eq { overflow: visible !important; max-width: none !important; }
  .rnnw, figure, img, svg, .mermaid, table { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  pre, .highlight pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
}
"""


def print_page(browser, base_url: str, page_path: str) -> tuple[bytes, str]:
    """(PDF bytes, page title) of one page of the built site, after it has settled."""
    blocked: list[str] = []
    page = site_browser.offline_page(browser, blocked)
    try:
        page.goto(base_url + page_path)
        site_browser.settle(page)
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        title = page.locator("article h1").first.inner_text().strip().rstrip("#").strip()
        pdf = page.pdf(format="A4", print_background=True, display_header_footer=False,
                       margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        return pdf, title
    finally:
        page.context.close()


def sheet_texts(pdf: bytes) -> list[str]:
    """The extractable text of every sheet of one printed page (pypdf). A function of its own
    so a caller can run it in another process while Chromium prints the next page."""
    from pypdf import PdfReader

    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages]


def build_pdf(out: Path = OUT, pages: list[str] | None = None, browser=None,
              each_page=None) -> Path:
    """Print every toc page and join them into ``out``; return its path. ``browser``: a
    Playwright Chromium already running (the tests' session browser); else one is launched.
    ``each_page``: called with each page's PDF bytes as soon as it is printed (the test reads
    the text of one page while the next is printed)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    with contextlib.ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            playwright = stack.enter_context(sync_playwright())
            browser = site_browser.launch(playwright)
            stack.callback(browser.close)
        base_url = stack.enter_context(site_browser.serve())
        for page_path in pages or site_browser.toc_pages():
            pdf, title = print_page(browser, base_url, page_path)
            if each_page is not None:
                each_page(pdf)
            first = len(writer.pages)
            for sheet in PdfReader(io.BytesIO(pdf)).pages:
                writer.add_page(sheet)
            writer.add_outline_item(title=title, page_number=first)
    writer.add_metadata({"/Title": _book_title(), "/Creator": "tools/make_pdf.py (Chromium)"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        writer.write(handle)
    return out


def _book_title() -> str:
    import yaml

    return yaml.safe_load((site_browser.ROOT / "_config.yml").read_text())["title"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    problem = site_browser.missing_prerequisite()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    out = build_pdf(args.out)
    from pypdf import PdfReader

    n = len(PdfReader(out).pages)
    print(f"{out}: {n} pages, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
