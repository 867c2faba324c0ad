import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Lets the test modules import the shared problem generator in tests/helpers.py.
sys.path.insert(0, str(Path(__file__).parent))

# Locally, hypothesis explores new random cases on every run (that is how it finds bugs).
# CI replays a fixed set, so a submission's result does not depend on the luck of the draw.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


# --- the built site in headless Chromium -------------------------------------------------------
# ONE browser for each worker's session (test_site, test_a11y, test_site_steppers, test_pdf,
# test_lab): launching Chromium costs seconds, and a sync Playwright cannot run twice at once.
# Each page of the built site is loaded once at desktop width for all the checks that need
# no other viewport (``page_audit``). A module that checks a site built elsewhere overrides
# ``site_html``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium, launched once per session; skips when it is not installed."""
    import site_browser
    if site_browser.chromium_path() is None:   # `make test` installs it with apt-get as root
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = site_browser.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site_html() -> Path:
    """The folder of the built site the browser tests open."""
    import site_browser
    return site_browser.HTML


@pytest.fixture(scope="module")
def browser(request, site_html):
    """The session's Chromium, once the built site it is to open exists (else a skip)."""
    import site_browser
    problem = site_browser.missing_prerequisite(site_html)
    if problem:
        pytest.skip(problem)
    return request.getfixturevalue("chromium")


@pytest.fixture(scope="module")
def base_url(browser, site_html):
    import site_browser
    with site_browser.serve(site_html) as url:
        yield url


@pytest.fixture(scope="session")
def page_audit(request):
    """``audit(page_path)``: what one visit of that page of _build/html recorded
    (site_browser.audit_page: console, network, math, diagrams, images, widgets, alt text,
    axe-core), each page visited once however many tests ask."""
    import site_browser
    problem = site_browser.missing_prerequisite()
    if problem:
        pytest.skip(problem)
    chromium = request.getfixturevalue("chromium")
    done: dict = {}
    with site_browser.serve() as url:
        def audit(page_path: str) -> dict:
            if page_path not in done:
                try:
                    done[page_path] = site_browser.audit_page(chromium, url, page_path)
                except Exception as exc:      # every test of the page reports the same failure
                    done[page_path] = exc
            if isinstance(done[page_path], Exception):
                raise done[page_path]
            return done[page_path]
        yield audit



# --- how `make test`'s workers share the files (tests/scheduling.py) ---------------------------
import scheduling  # noqa: E402

pytest_xdist_make_scheduler = scheduling.pytest_xdist_make_scheduler
pytest_runtest_logreport = scheduling.pytest_runtest_logreport
pytest_sessionfinish = scheduling.pytest_sessionfinish
