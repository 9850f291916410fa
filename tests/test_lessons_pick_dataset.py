"""lessons/_support.py: pick_dataset, the MNIST / Fashion-MNIST choice of the training-heavy lessons (10, 13, 14)."""

import importlib.util
import os

import pytest

_PATH = os.path.join(os.path.dirname(__file__), os.pardir, "lessons", "_support.py")
_spec = importlib.util.spec_from_file_location("lessons_support_pick", _PATH)
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """Only tmp_path/<name> is searched (no cache, no system folders such as Debian's fashion-mnist)."""
    monkeypatch.setattr(support, "_search_path", lambda name: [str(tmp_path / name)])
    return tmp_path


def _provide(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        (folder / name).write_bytes(b"")


ALL = support.MNIST_FILES
TEST_ONLY = ALL[2:]


def test_complete_mnist_is_used_without_a_notice(folders, capsys):
    _provide(folders / "mnist", ALL)
    _provide(folders / "fashion_mnist", ALL)
    assert support.pick_dataset(False) == ("mnist", str(folders / "mnist"))
    assert capsys.readouterr().out == ""


def test_incomplete_mnist_switches_to_complete_fashion_and_says_so(folders, capsys):
    _provide(folders / "mnist", TEST_ONLY)
    _provide(folders / "fashion_mnist", ALL)
    assert support.pick_dataset(False) == ("fashion_mnist", str(folders / "fashion_mnist"))
    out = capsys.readouterr().out
    assert "NOTICE: MNIST is incomplete" in out and "train-images-idx3-ubyte.gz" in out and "Fashion-MNIST" in out


def test_incomplete_mnist_stays_when_fashion_is_incomplete_too(folders, capsys):
    _provide(folders / "mnist", TEST_ONLY)
    _provide(folders / "fashion_mnist", TEST_ONLY)
    assert support.pick_dataset(False) == ("mnist", str(folders / "mnist"))
    assert capsys.readouterr().out == ""  # load_mnist prints the stand-in notice later


def test_asking_for_fashion(folders, capsys):
    _provide(folders / "fashion_mnist", ALL)
    assert support.pick_dataset(True) == ("fashion_mnist", str(folders / "fashion_mnist"))
    assert capsys.readouterr().out == ""


def test_asking_for_missing_fashion_falls_back_to_mnist_with_a_notice(folders, capsys):
    _provide(folders / "mnist", ALL)
    assert support.pick_dataset(True) == ("mnist", str(folders / "mnist"))
    out = capsys.readouterr().out
    assert "Fashion-MNIST was asked for but is not complete" in out
    assert "python -m teachtf.datasets download fashion_mnist" in out
