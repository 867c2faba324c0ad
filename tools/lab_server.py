"""JupyterLab started as `make lab` starts it, for the Lab tests and the Lab screenshots.

`make lab` runs ``jupyter lab --notebook-dir=chapters [--allow-root]``. ``running_lab`` runs
the same command on a folder of copies (Run All must not rewrite the repository's files),
plus what a headless run needs: no browser, a random token, a free port, and its own
settings, data and runtime folders so nothing of the user's leaks in or out. Notebook
windowing is off, so every cell is in the page (JupyterLab otherwise renders only the cells
near the viewport). The notebooks are trusted first, as `make setup` does.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_env(home: Path) -> dict:
    """Environment of a Lab server whose settings and state live under ``home``."""
    settings = home / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", "kernelShutdown": True}))
    (settings / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}))
    return {**os.environ, "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}


@contextlib.contextmanager
def running_lab(folder: Path, home: Path, timeout: float = 90):
    """Yield ``(base_url, token)`` of a JupyterLab serving ``folder``; logs in home/lab.log."""
    env = lab_env(home)
    notebooks = sorted(str(p) for p in Path(folder).glob("*.ipynb"))
    if notebooks:      # as `make setup` does
        subprocess.run([str(BIN / "jupyter"), "trust", *notebooks], env=env, check=True,
                       capture_output=True)
    port, token = free_port(), secrets.token_hex(16)
    # `make lab`: jupyter lab --notebook-dir=chapters [--allow-root]; plus the headless flags
    cmd = [str(BIN / "jupyter"), "lab", f"--notebook-dir={folder}", "--no-browser",
           f"--ServerApp.token={token}", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log_path = home / "lab.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise RuntimeError("JupyterLab did not start:\n"
                                           + log_path.read_text()[-2000:]) from None
                    time.sleep(0.5)
            yield f"http://127.0.0.1:{port}", token
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def labextension_list(home: Path) -> str:
    """What `jupyter labextension list` prints (stdout and stderr) in the Lab's environment."""
    out = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], env=lab_env(home),
                         capture_output=True, text=True)
    return out.stdout + out.stderr


# the rendered view of a markdown cell (jupyterlab-myst's, or JupyterLab's own without it)
RENDERED = (".jp-InputArea > .lm-Widget:not(.jp-InputPrompt):not(.jp-InputArea-editor)"
            ":not(.jp-Toolbar)")


def open_notebook(page, base: str, token: str, name: str, timeout: float = 180_000):
    """Open ``name`` in Lab as the only document; return the locator of its notebook, rendered.

    Other open documents are closed first (JupyterLab would otherwise keep them all in the
    page, and a locator could pick a hidden one)."""
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")
    notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
    notebook.locator(".jp-Cell").first.wait_for(timeout=timeout)
    # markdown cells render a few at a time after the cells appear: wait for all of them
    # (first an empty placeholder, then the rendered view, once the kernel is up)
    page.wait_for_function(
        """sel => { const cells = Array.from(document.querySelectorAll(sel + ' .jp-MarkdownCell'));
                   return cells.length > 0 && cells.every(c => {
                       const r = c.querySelector(RENDERED);
                       return r && !r.classList.contains('jp-RenderedText')
                              && r.textContent.trim().length > 0; }); }"""
        .replace("RENDERED", repr(RENDERED)), arg=".jp-NotebookPanel:not(.lm-mod-hidden)",
        timeout=timeout)
    page.wait_for_timeout(1000)       # inline expressions and diagrams settle
    return notebook
