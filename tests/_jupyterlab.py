"""Helpers shared by the browser tests: start JupyterLab on localhost and drive Debian's Chromium with Playwright.

Used by tests/test_widgets_browser.py and tests/test_lessons_in_jupyterlab.py. JupyterLab gets temporary
config, runtime, workspaces and user-settings folders, so nothing of the user's setup leaks in or is changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "artifacts"

# JupyterLab 4 virtualises long notebooks ("windowingMode": "full"): cells off screen are not in the DOM.
# Tests that look at every cell's output turn that off with this user setting.
NO_WINDOWING = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"}}
# No "Would you like to get notified about official Jupyter news?" toast over the page (and no network use).
NO_NEWS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
           {"fetchNews": "false", "checkForUpdates": False}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_browser_stack() -> None:
    """Skip the calling test unless Chromium, Playwright, JupyterLab and the widgets extension are installed."""
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")
    pytest.importorskip("jupyterlab", reason="needs JupyterLab")
    pytest.importorskip("ipywidgets", reason="needs ipywidgets")
    pytest.importorskip("jupyterlab_widgets", reason="needs the JupyterLab widgets extension")


@contextlib.contextmanager
def jupyter_lab(tmp: Path, root: Path, *, env: dict[str, str] | None = None,
                user_settings: dict[str, dict] | None = None, extra_args: tuple[str, ...] = (),
                startup_timeout: float = 120) -> Iterator[str]:
    """Run `jupyter lab` serving `root` (no token, no browser) with its state under `tmp`; yield its base URL.

    user_settings: {"<plugin>.jupyterlab-settings" path: settings} written to a fresh user-settings folder.
    extra_args: more command-line options, e.g. "--LabApp.expose_app_in_browser=True" (window.jupyterapp).
    The server's output goes to `tmp/lab.log` (quoted when it does not start).
    """
    port = free_port()
    settings_dir = tmp / "user-settings"
    for name, values in (user_settings or {}).items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    full_env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
                    JUPYTER_PLATFORM_DIRS="1", **(env or {}))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
           f"--LabApp.user_settings_dir={settings_dir}", "--LabApp.news_url=", "--ServerApp.open_browser=False",
           *extra_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI often run as root
    log_path = tmp / "lab.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=root, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + startup_timeout
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.flush()
                    raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()[-3000:]) from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(tmp / "runtime", ignore_errors=True)


def api(url: str, path: str, method: str = "GET", timeout: float = 30):
    """Call the Jupyter server's REST API (no token) and return the decoded JSON, or None for an empty reply."""
    request = urllib.request.Request(f"{url}{path}", method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
    return json.loads(body) if body else None


def shutdown_kernels(url: str) -> None:
    """Shut down every session's kernel (frees the memory a finished notebook's kernel holds)."""
    for session in api(url, "/api/sessions") or []:
        with contextlib.suppress(OSError):
            api(url, f"/api/sessions/{session['id']}", method="DELETE", timeout=60)
