"""Screenshot every page of the built book, offline, to look at what a reader sees.

    .venv/bin/python tools/screenshot_pages.py [--full-page] [page.html ...]   (or: make screenshots)

Writes _build/screenshots/<page>.png (the first screenful, or the whole page with --full-page)
and prints, per page, the console errors and blocked external requests it saw.
"""

from __future__ import annotations

import argparse
import sys

from playwright.sync_api import sync_playwright

import site_browser


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages to shoot (default: every toc page)")
    parser.add_argument("--full-page", action="store_true", help="capture the whole page")
    args = parser.parse_args()

    problem = site_browser.missing_prerequisite()
    if problem:
        print(problem, file=sys.stderr)
        return 1

    out = site_browser.ROOT / "_build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, site_browser.serve() as base_url:
        browser = site_browser.launch(playwright)
        for page_path in args.pages or site_browser.toc_pages():
            blocked: list[str] = []
            errors: list[str] = []
            page = site_browser.offline_page(browser, blocked)
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(f"uncaught: {e}"))
            page.goto(base_url + page_path)
            site_browser.settle(page)
            png = out / (page_path.replace("/", "__").removesuffix(".html") + ".png")
            page.screenshot(path=str(png), full_page=args.full_page)
            print(f"{png.relative_to(site_browser.ROOT)}")
            for message in errors:
                print(f"    console error: {message[:200]}")
            for url in blocked:
                print(f"    blocked: {url}")
            page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
