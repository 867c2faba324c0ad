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


# --- the built site in headless Chromium: one browser and one local server per test module ---
# Used by the browser tests (test_site, test_a11y, test_site_steppers). A module that checks a
# site built elsewhere overrides ``site_html``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))


@pytest.fixture(scope="module")
def site_html() -> Path:
    """The folder of the built site the browser tests open."""
    import site_browser
    return site_browser.HTML


@pytest.fixture(scope="module")
def browser(site_html):
    import site_browser
    problem = site_browser.missing_prerequisite(site_html)
    if problem:   # `make test` installs chromium with apt-get when it runs as root
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = site_browser.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base_url(browser, site_html):
    import site_browser
    with site_browser.serve(site_html) as url:
        yield url
