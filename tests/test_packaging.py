"""The installed package holds every module of the source tree: a wheel built from this checkout contains each
.py file of teachtf/ and widgets/ (as teachtf.widgets), so `pip install` (not only `pip install -e`) works."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _source_modules() -> set:
    engine = {p.relative_to(ROOT).as_posix() for p in (ROOT / "teachtf").rglob("*.py")}
    widgets = {"teachtf/widgets/" + p.relative_to(ROOT / "widgets").as_posix()
               for p in (ROOT / "widgets").rglob("*.py")}
    return {m for m in engine | widgets if "__pycache__" not in m} | {"input_data.py"}


def test_every_package_folder_is_a_regular_package():
    """setuptools' find_packages skips folders without __init__.py: their modules would be left out of wheels."""
    missing = [d.relative_to(ROOT).as_posix() for base in ("teachtf", "widgets")
               for d in [ROOT / base, *(ROOT / base).rglob("*")]
               if d.is_dir() and "__pycache__" not in d.parts and any(d.glob("*.py"))
               and not (d / "__init__.py").exists()]
    assert missing == []


def test_the_wheel_contains_every_module(tmp_path):
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    src = tmp_path / "src"  # a clean copy: a build/ folder left in the checkout would hide missing modules
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("teachtf", "widgets"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "README.md", "input_data.py"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path / "dist"), str(src)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("teachtf-*.whl")
    with zipfile.ZipFile(wheel) as z:
        packed = {n for n in z.namelist() if n.endswith(".py")}
    assert _source_modules() - packed == set()
