"""End to end in a real browser: JupyterLab runs a notebook showing ConvolutionExplorer, driven by Playwright.

Needs Debian's Chromium at /usr/bin/chromium, the `playwright` Python package (its
own browser download is not used) and JupyterLab with ipywidgets; skips otherwise.
A screenshot is saved under artifacts/.
"""

import json
from pathlib import Path

import pytest

from _jupyterlab import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, jupyter_lab, require_browser_stack

pytestmark = pytest.mark.slow

NOTEBOOK_SOURCE = """\
import numpy as np
from teachtf.widgets import ConvolutionExplorer

explorer = ConvolutionExplorer(input=np.ones((6, 6)), kernel=np.ones((3, 3)), stride=2, padding="SAME")
explorer
"""


def _notebook(path: Path) -> None:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {}, "outputs": [],
                     "source": NOTEBOOK_SOURCE.splitlines(keepends=True)}],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


@pytest.fixture
def lab(tmp_path):
    require_browser_stack()
    root = tmp_path / "notebooks"
    root.mkdir()
    _notebook(root / "explorer.ipynb")
    with jupyter_lab(tmp_path, root) as url:
        yield url


def _output_cells(page):
    """Texts of the output grid's cells (the last grid of the explorer)."""
    return page.eval_on_selector_all(".ttf-explorer .ttf-grid >> nth=-1 >> td",
                                     "cells => cells.map(c => c.textContent)")


def test_convolution_explorer_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        try:
            page.goto(f"{lab}/lab/tree/explorer.ipynb", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            # run only once the kernel is connected and idle (a request sent earlier is dropped)
            page.wait_for_function("document.body.innerText.includes('| Idle')", timeout=90_000)
            page.click(".jp-Notebook .jp-Cell .jp-InputArea-editor")
            page.keyboard.press("Shift+Enter")
            page.wait_for_selector(".ttf-explorer .ttf-grid", timeout=90_000)

            # first frame: output cell (0, 0) of the all-ones stride-2 SAME demo is 9; later cells are pending
            page.wait_for_function("document.querySelectorAll('.ttf-explorer .ttf-grid').length >= 3")
            assert _output_cells(page)[0] == "9"
            titles = page.eval_on_selector_all(".ttf-explorer .ttf-title", "ts => ts.map(t => t.textContent)")
            assert any("output y [1, 3, 3, 1]" in t for t in titles)
            assert "top 0, bottom 1" in page.inner_text(".ttf-explorer")

            # step forward with the player's button: the window moves and cell (0, 1) is written
            page.click(".ttf-explorer button[title='next step']")
            page.wait_for_function("document.querySelector('.ttf-explorer').innerText.includes('y[0, 0, 1, 0]')")

            # play runs in the browser (Play linked to the slider with jslink) and reaches the last frame
            page.click(".ttf-explorer .widget-play button")
            page.wait_for_function("document.querySelector('.ttf-explorer').innerText.includes('y[0, 2, 2, 0]')",
                                   timeout=30_000)
            assert _output_cells(page) == ["9", "9", "6", "9", "9", "6", "6", "6", "4"]

            # move a control: VALID padding rebuilds the model; the output becomes 2×2 of 9s
            page.click(".ttf-explorer .widget-toggle-buttons button:has-text('VALID')")
            page.wait_for_function("() => { const g = document.querySelectorAll('.ttf-explorer .ttf-grid'); "
                                   "return g.length && g[g.length - 1].querySelectorAll('td').length === 4; }")
            assert "output y [1, 2, 2, 1]" in page.inner_text(".ttf-explorer")
            cells = _output_cells(page)
            assert len(cells) == 4 and cells[0] == "9"
            page.click(".ttf-explorer button[title='next step']")
            page.click(".ttf-explorer button[title='next step']")
            page.click(".ttf-explorer button[title='next step']")
            page.wait_for_function("document.querySelector('.ttf-explorer').innerText.includes('y[0, 1, 1, 0]')")
            assert _output_cells(page) == ["9", "9", "9", "9"]
            page.locator(".ttf-explorer").screenshot(path=str(ARTIFACTS / "convolution_explorer.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "convolution_explorer_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
