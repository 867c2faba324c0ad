"""Browser test: on the built site, every stepper's static player steps with no kernel.

For each chapter page with a stepper: open it in headless Chromium (served from 127.0.0.1, all
other hosts blocked), click "Next frame" in every stepper and check that the frame shown
changed (its ``data-frame`` attribute and its HTML), with no console error from the player;
then screenshot each stepper to ``_build/screenshots/stepper_<page>_<n>.png``.

Skips (one line each) when chromium, the built page, or a stepper in it is missing. The site
directory is ``_build/html`` of the repository, or ``$STEPPER_SITE_HTML`` when set (to check a
build made elsewhere, e.g. ``--path-output /tmp/x``).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import site_browser   # tools/, put on the path by conftest.py

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("STEPPER_SITE_HTML", ROOT / "_build" / "html"))
SHOTS = HTML.parent / "screenshots"
PAGES = ["chapters/02_forward_equations.html", "chapters/03_softmax.html",
         "chapters/04_bptt.html", "chapters/05_vanishing_exploding.html"]
# Page errors the theme / widget manager raise on every page (see tests/test_site.py); not ours.
BENIGN = ("Identifier 'THEBE_JS_URL' has already been declared",
          "Cannot read properties of undefined (reading 'Queue')")


@pytest.fixture(scope="module")
def site_html() -> Path:
    """This module may check a site built elsewhere (``$STEPPER_SITE_HTML``)."""
    return HTML


@pytest.mark.parametrize("page_path", PAGES)
def test_stepper_steps_on_the_static_page(browser, base_url, page_path):
    if not (HTML / page_path).exists():
        pytest.skip(f"{page_path} not built")
    if 'class="rnnw"' not in (HTML / page_path).read_text(encoding="utf-8"):
        pytest.skip(f"{page_path} has no stepper yet")
    blocked, errors = [], []
    page = site_browser.offline_page(browser, blocked)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base_url + page_path)
        page.wait_for_load_state("load")
        players = page.locator("div.rnnw[data-rnnw]")
        n = players.count()
        assert n > 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        stem = Path(page_path).stem
        for i in range(n):
            player = players.nth(i)
            player.scroll_into_view_if_needed()
            assert player.get_attribute("data-rnnw-ready") == "1", "the player script did not run"
            view = player.locator(".rnnw-view")
            frame0, html0 = view.get_attribute("data-frame"), view.inner_html()
            n_frames = int(player.get_attribute("data-nframes"))
            assert player.locator("template[data-frame]").count() == n_frames
            player.get_by_role("button", name="Next frame").click()
            frame1, html1 = view.get_attribute("data-frame"), view.inner_html()
            assert int(frame1) > int(frame0), f"{page_path} stepper {i}: Next frame did nothing"
            assert html1 != html0, f"{page_path} stepper {i}: the picture did not change"
            player.get_by_role("button", name="Previous frame").click()
            assert view.get_attribute("data-frame") == frame0
            player.get_by_role("button", name="Next frame").click()
            player.screenshot(path=str(SHOTS / f"stepper_{stem}_{i}.png"))
        errors = [e for e in errors if not any(b in e for b in BENIGN)]
        assert not errors, f"{page_path}: JavaScript errors: {errors}"
        assert not blocked, f"{page_path}: requests to other hosts: {blocked}"
    finally:
        page.context.close()
