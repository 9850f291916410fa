"""Every lesson, run in JupyterLab in a real browser: Run All Cells through the menu, then check the results.

For each notebook in lessons/ (a copy in a temporary folder: no outputs are ever saved into the repository)
JupyterLab opens it in headless Chromium (Debian's /usr/bin/chromium, driven by the `playwright` package), runs
Run > Run All Cells and waits until no cell is queued or running and the kernel is idle. The copy is then saved
and read back through the Jupyter contents API. The test fails when

- a code cell has no execution count (Run All stopped early or never reached it),
- a cell has an error output, or a traceback written to stderr,
- a widget the notebook displayed (an output of mime type application/vnd.jupyter.widget-view+json) is not
  rendered as a widget view in the page: still "Loading widget...", "Error displaying widget", hidden, or shown
  as the plain-text fallback because the widget renderer is missing.

JupyterLab 4 virtualises long notebooks, so the server gets the user setting "windowingMode": "none": every
cell stays in the DOM. The kernels see TEACHTF_DATA_DIR (the caller's, else ../shared/data next to the
repository when it exists) so the MNIST lessons use real data. A screenshot per lesson (its first widget, or the
page when it has none) and a JSON summary go to artifacts/lessons/. Skips without Chromium, Playwright or
JupyterLab. Slow: about two minutes a lesson on two cores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.error

import pytest

from _jupyterlab import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, NO_NEWS, NO_WINDOWING, REPO, api, jupyter_lab,
                         require_browser_stack, shutdown_kernels)

pytestmark = pytest.mark.slow

LESSONS = REPO / "lessons"
LESSON_FILES = sorted(p.name for p in LESSONS.glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ARTIFACTS / "lessons"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LESSON_TIMEOUT_S = float(os.environ.get("TEACHTF_LESSON_TIMEOUT_S", 480))   # Run All, per lesson
KERNEL_START_TIMEOUT_MS = 180_000
WIDGET_RENDER_TIMEOUT_S = 60

# State of the open notebook: each code cell's prompt ("[3]:", "[*]:", "[ ]:") and the kernel status bar text.
NOTEBOOK_STATE_JS = """() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const prompts = nb ? [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                         .map(p => p.textContent.trim()) : [];
  const bar = document.querySelector('#jp-main-statusbar');
  return {prompts, status: bar ? bar.innerText : ''};
}"""

# Every top-level output whose data holds a widget view (outputs nested in Output widgets are not counted): the
# mime type JupyterLab chose to render it with (read from window.jupyterapp) and what is in the page there.
WIDGET_OUTPUTS_JS = """(mime) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const found = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    cell.outputArea.widgets.forEach((child, j) => {
      const model = cell.outputArea.model.get(j);
      const data = model && model.data;
      if (!data || !(mime in data) || !data[mime].model_id) return;
      const out = (child.widgets || []).find(w => w.hasClass('jp-OutputArea-output'));
      if (!out) { found.push({cell: index, mime: '', state: 'no output node', text: ''}); return; }
      out.node.dataset.lessonWidget = String(found.length);
      const shown = out.mimeType || out.node.dataset.mimeType || '';
      const text = (out.node.innerText || '').trim();
      // a rendered view: an element of the widget's own (not the renderer's) with ipywidgets' classes, visible
      const views = [...out.node.querySelectorAll('.jupyter-widgets')].filter(
        v => [...v.classList].some(c => c.startsWith('widget-')));
      const visible = views.some(v => { const r = v.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
      let state = 'rendered';
      if (shown !== mime) state = 'rendered as ' + (shown || 'unknown') + ' instead';
      else if (text.startsWith('Loading widget')) state = 'Loading widget...';
      else if (text.startsWith('Error displaying widget')) state = text.slice(0, 80);
      else if (!views.length) state = 'no widget view';
      else if (!visible) state = 'not visible';
      found.push({cell: index, mime: shown, state, text: text.slice(0, 120)});
    });
  });
  return found;
}"""


# The test saves each copy itself once Run All is done; an autosave racing with the read-back could make the
# server take a half-written file for a broken one (it then restores the previous version).
NO_AUTOSAVE = {"@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False}}


def _data_dir() -> str | None:
    if os.environ.get("TEACHTF_DATA_DIR"):
        return os.environ["TEACHTF_DATA_DIR"]
    shared = REPO.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser_stack()
    tmp = tmp_path_factory.mktemp("lessons-lab")
    root = tmp / "lessons"
    shutil.copytree(LESSONS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    env = {"TEACHTF_DATA_DIR": d} if (d := _data_dir()) else {}
    with jupyter_lab(tmp, root, env=env, user_settings={**NO_WINDOWING, **NO_NEWS, **NO_AUTOSAVE},
                     extra_args=("--LabApp.expose_app_in_browser=True",)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first.click()


def _wait_for_run_all(page, timeout_s: float) -> dict:
    """Poll until no cell is queued/running, at least one ran, and the kernel is idle, three polls in a row."""
    deadline = time.monotonic() + timeout_s
    calm = 0
    while True:
        state = page.evaluate(NOTEBOOK_STATE_JS)
        prompts = state["prompts"]
        running = sum("*" in p for p in prompts)
        ran = sum(bool(re.search(r"\d", p)) for p in prompts)
        idle = "| Idle" in state["status"]
        calm = calm + 1 if (not running and ran and idle) else 0
        if calm >= 3:
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"Run All did not finish in {timeout_s:.0f} s: {ran} of {len(prompts)} code cells "
                                 f"ran, {running} queued or running; status bar: {state['status']!r}")
        time.sleep(2)


def _read_back(lab: str, name: str, prompts: list[str], timeout_s: float = 60) -> dict:
    """The saved notebook from the contents API, once it holds as many execution counts as the page shows."""
    shown = sum(bool(re.search(r"\d", p)) for p in prompts)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            nb = api(lab, f"/api/contents/{name}?content=1&type=notebook")["content"]
        except urllib.error.HTTPError as e:   # 400 "Unreadable Notebook" while the save is being written
            nb, saved, why = None, 0, f"the contents API answered {e.code} {e.reason}"
        else:
            saved = sum(c.get("execution_count") is not None for c in nb["cells"] if c["cell_type"] == "code")
            why = f"the saved notebook holds {saved} execution counts, the page shows {shown}"
        if nb is not None and saved >= shown:
            return nb
        if time.monotonic() > deadline:
            raise AssertionError(why)
        time.sleep(1)


def _problems(nb: dict) -> tuple[list[str], list[str], int]:
    """(unexecuted code cells, error outputs, number of widget outputs) of a saved notebook."""
    unexecuted, errors, widgets = [], [], 0
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        first_line = source.strip().splitlines()[0] if source.strip() else ""
        if cell.get("execution_count") is None:
            unexecuted.append(f"cell {index}: {first_line[:60]}")
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                errors.append(f"cell {index}: {out.get('ename')}: {out.get('evalue', '')[:300]}")
            elif out["output_type"] == "stream" and out.get("name") == "stderr":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if "Traceback (most recent call last)" in text:
                    errors.append(f"cell {index}: traceback on stderr: {text[-300:]}")
            elif WIDGET_MIME in out.get("data", {}) and out["data"][WIDGET_MIME].get("model_id"):
                widgets += 1
    return unexecuted, errors, widgets


def _wait_for_widgets(page, expected: int, timeout_s: float) -> list[dict]:
    """The page's top-level widget outputs, once `expected` of them are rendered (or after timeout_s)."""
    deadline = time.monotonic() + timeout_s
    while True:
        outputs = page.evaluate(WIDGET_OUTPUTS_JS, WIDGET_MIME)
        if sum(o["state"] == "rendered" for o in outputs) >= expected or time.monotonic() > deadline:
            return outputs
        time.sleep(1)


@pytest.mark.parametrize("name", LESSON_FILES, ids=[n.removesuffix(".ipynb") for n in LESSON_FILES])
def test_lesson_runs_in_jupyterlab(lab, browser, name):
    stem = name.removesuffix(".ipynb")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{stem}_failure.png").unlink(missing_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.monotonic()
    try:
        # a workspace of its own per lesson, so earlier lessons' tabs (and kernels) are not reopened
        page.goto(f"{lab}/lab/workspaces/{stem}/tree/{name}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        # run only once the kernel is connected and idle (a request sent earlier is dropped)
        page.wait_for_function("document.querySelector('#jp-main-statusbar')?.innerText.includes('| Idle')",
                               timeout=KERNEL_START_TIMEOUT_MS)
        _menu(page, "Run", "Run All Cells")
        state = _wait_for_run_all(page, LESSON_TIMEOUT_S)
        seconds = time.monotonic() - started

        # save the copy (awaited, so no menu or dialog timing is involved) and read it back from the server
        page.evaluate("() => window.jupyterapp.shell.currentWidget.context.save()")
        nb = _read_back(lab, name, state["prompts"])
        unexecuted, errors, expected_widgets = _problems(nb)

        outputs = _wait_for_widgets(page, expected_widgets, WIDGET_RENDER_TIMEOUT_S if expected_widgets else 0)
        rendered = [o for o in outputs if o["state"] == "rendered"]
        not_rendered = [o for o in outputs if o["state"] != "rendered"]

        shot = SCREENSHOTS / f"{stem}.png"
        if rendered:
            first = page.locator(f"[data-lesson-widget='{outputs.index(rendered[0])}']")
            first.scroll_into_view_if_needed()
            first.screenshot(path=str(shot))
        else:
            page.screenshot(path=str(shot))
        summary = {"lesson": stem, "seconds": round(seconds, 1), "code_cells": len(state["prompts"]),
                   "unexecuted": unexecuted, "errors": errors, "widget_outputs": expected_widgets,
                   "widgets_in_page": len(outputs), "widgets_rendered": len(rendered),
                   "not_rendered": not_rendered}
        (SCREENSHOTS / f"{stem}.json").write_text(json.dumps(summary, indent=1))

        assert not errors, f"{name}: error outputs:\n" + "\n".join(errors)
        assert not unexecuted, f"{name}: code cells without an execution count:\n" + "\n".join(unexecuted)
        assert len(outputs) == expected_widgets and len(rendered) == expected_widgets, (
            f"{name}: the saved notebook has {expected_widgets} widget outputs, the page {len(outputs)}, "
            f"of which {len(rendered)} rendered as widget views; not rendered: {not_rendered}")
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / f"{stem}_failure.png"))
        raise
    finally:
        page.close()
        shutdown_kernels(lab)
