"""Sphinx extension: the repository URL is one setting, and every button that needs it follows.

_config.yml's ``repository: url:`` is that setting. While it is empty (the book has no public
repository yet), the page header shows no repository, issue or edit button and no launch
button (Binder, Colab, JupyterHub): each would lead nowhere. Once it is set, the repository
and issue buttons appear, and every chapter gets Binder and Colab launch buttons (plus a
JupyterHub one when ``launch_buttons: jupyterhub_url:`` is set). The download button (the
chapter's ``.ipynb`` and its source) needs no repository and is always shown.

Registered in _config.yml under ``sphinx: local_extensions``.
"""
from __future__ import annotations

BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button")
LAUNCH_DEFAULTS = {"binderhub_url": "https://mybinder.org",
                   "colab_url": "https://colab.research.google.com"}
LAUNCH_KEYS = ("binderhub_url", "colab_url", "jupyterhub_url", "deepnote_url", "thebe")


def link_options(theme_options: dict) -> dict:
    """The theme options with the link buttons switched on or off by ``repository_url``."""
    opts = dict(theme_options)
    url = (opts.get("repository_url") or "").strip()
    launch = dict(opts.get("launch_buttons") or {})
    opts["use_download_button"] = True
    if url:
        opts["repository_url"] = url
        opts["use_repository_button"] = True
        opts["use_issues_button"] = True
        for key, value in LAUNCH_DEFAULTS.items():
            launch[key] = launch.get(key) or value
        launch.setdefault("notebook_interface", "jupyterlab")
    else:
        opts["repository_url"] = ""
        for key in BUTTONS:
            opts[key] = False
        for key in LAUNCH_KEYS:
            launch[key] = False if key == "thebe" else ""
    opts["launch_buttons"] = launch
    return opts


def _apply(app, config) -> None:
    config.html_theme_options = link_options(config.html_theme_options or {})


def setup(app):
    app.connect("config-inited", _apply, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
