"""Links of the built site lead somewhere (pure Python over _build/html; `make test` runs it
after the strict build).

- Every internal link (a href, img/script src, link href) names a file that exists in the build,
  and every #fragment an element id on the target page.
- The header offers no button to a repository or launch service while _config.yml's
  ``repository: url:`` is empty (tools/book_links.py), and each chapter offers its own
  ``.ipynb`` for download.
"""
from __future__ import annotations

import html.parser
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))
import book_links  # noqa: E402
import site_browser  # noqa: E402

pytestmark = pytest.mark.site

# sphinx-book-theme's header buttons that lead to the repository or a launch service
NEED_A_REPOSITORY = ("btn-source-repository-button", "btn-source-issues-button",
                     "btn-source-edit-button", "btn-launch-", "launch-buttons")
LINK_ATTRS = {"a": "href", "img": "src", "script": "src", "link": "href", "iframe": "src",
              "source": "src"}


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []   # (tag, url)
        self.ids: set[str] = set()
        self.classes: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        url = attrs.get(LINK_ATTRS.get(tag, ""))
        if url:
            self.links.append((tag, url))
        self.classes.append((tag, attrs))


@lru_cache(maxsize=None)
def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def built_pages() -> list[Path]:
    if not (HTML / "index.html").exists():
        return []
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)


def _rel(path: Path) -> str:
    return str(path.relative_to(HTML)) if HTML in path.parents else str(path)


def broken_links(page_path: Path) -> list[str]:
    """Internal links of one built page that lead to no file or no element."""
    bad = []
    base = "file://" + str(page_path)
    for tag, url in parse(page_path).links:
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "mailto", "data", "javascript") or url.startswith("//"):
            continue
        target = urlparse(urljoin(base, url))
        file = Path(unquote(target.path))
        if not url.split("#")[0]:
            file = page_path
        if file.is_dir():
            file = file / "index.html"
        if not file.exists():
            bad.append(f"<{tag}> {url}: no file {_rel(file)}")
            continue
        fragment = unquote(target.fragment)
        if fragment and file.suffix == ".html" and fragment not in parse(file).ids:
            bad.append(f"<{tag}> {url}: no element id={fragment!r} in {_rel(file)}")
    return bad


def _need_site():
    if not built_pages():
        pytest.skip("no built site in _build/html (run `make book` first)")


def test_every_internal_link_leads_somewhere():
    _need_site()
    problems = {str(p.relative_to(HTML)): broken_links(p) for p in built_pages()}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, "broken internal links:\n" + "\n".join(
        f"{page}: {link}" for page, links in problems.items() for link in links[:10])


def test_the_link_check_finds_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<p id="here"></p><a href="a.html#here">ok</a>'
                                     '<a href="#nowhere">x</a><a href="b.html">y</a>'
                                     '<img src="pic.png"><a href="https://example.org/">ext</a>')
    bad = broken_links(tmp_path / "a.html")
    assert len(bad) == 3 and "nowhere" in bad[0] and "b.html" in bad[1] and "pic.png" in bad[2]


def _repository_url() -> str:
    return (yaml.safe_load((ROOT / "_config.yml").read_text()).get("repository") or {}).get("url") or ""


def test_no_repository_or_launch_button_while_the_url_is_unset():
    _need_site()
    if _repository_url():
        pytest.skip("repository.url is set in _config.yml")
    for page in built_pages():
        text = page.read_text(encoding="utf-8")
        shown = [b for b in NEED_A_REPOSITORY if b in text]
        assert not shown, f"{_rel(page)} shows {shown} although no repository is configured"
        for tag, url in parse(page).links:
            host = urlparse(url).hostname or ""
            assert host not in ("mybinder.org", "colab.research.google.com"), f"{_rel(page)}: {url}"


def test_each_chapter_offers_its_notebook_for_download():
    _need_site()
    chapters = [p for p in site_browser.toc_pages() if p.startswith("chapters/")]
    assert chapters
    for page_path in chapters:
        page = HTML / page_path
        stem = Path(page_path).stem
        downloads = [url for tag, url in parse(page).links if url.endswith(f"{stem}.ipynb")]
        assert downloads, f"{page_path}: no download link to {stem}.ipynb"
        target = (page.parent / downloads[0]).resolve()
        assert target.exists() and target.read_text().lstrip().startswith("{"), target


def test_link_options_follow_the_one_setting():
    off = book_links.link_options({"repository_url": "", "launch_buttons": {"thebe": False}})
    assert not any(off[k] for k in book_links.BUTTONS)
    assert not any(off["launch_buttons"][k] for k in book_links.LAUNCH_KEYS)
    assert off["use_download_button"] is True
    url = "https://github.com/someone/rnn-book"
    on = book_links.link_options({"repository_url": url,
                                  "launch_buttons": {"jupyterhub_url": "https://hub.example.edu"}})
    assert on["use_repository_button"] and on["use_issues_button"]
    assert on["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert on["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert on["launch_buttons"]["jupyterhub_url"] == "https://hub.example.edu"
