"""tf.compat (v1 alias, string helpers, eager switches), tf.gfile, tf.logging, tf.app/tf.flags,
install_as_tensorflow, strict mode hooks (API.md §1, §18, §19, §21)."""

import os
import subprocess
import sys
import textwrap

import pytest

import teachtf as tf
import teachtf.compat.v1 as v1

# -- tf.compat.v1 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["placeholder", "Session", "Variable", "get_variable", "variable_scope", "float32",
                                  "GraphKeys", "cond", "errors", "nn", "train", "gfile", "logging", "app", "flags",
                                  "compat", "initializers", "global_variables_initializer", "AUTO_REUSE"])
def test_compat_v1_names_are_the_same_objects(name):
    assert getattr(v1, name) is getattr(tf, name)
    assert tf.compat.v1 is v1


def test_compat_v1_covers_dir_and_from_imports():
    from teachtf.compat.v1 import constant, placeholder  # noqa: F401

    assert constant is tf.constant and set(dir(tf)) <= set(dir(v1))
    with pytest.raises(AttributeError, match="has no attribute 'run'"):
        v1.run  # noqa: B018 - names that never existed stay missing


@pytest.mark.parametrize("name, hint", [("data", "feed_dict"), ("estimator", "tf.Session"),
                                        ("GradientTape", "tf.gradients"), ("function", "tf.Session")])
def test_names_outside_the_surface_say_what_to_use_instead(name, hint):
    with pytest.raises(AttributeError, match=f"has no attribute '{name}'.*{hint}"):
        getattr(tf, name)
    assert not hasattr(tf, name)


def test_compat_v2_does_not_exist():
    with pytest.raises(AttributeError, match="no tf.compat.v2"):
        tf.compat.v2  # noqa: B018


def test_eager_switches():
    assert v1.disable_eager_execution() is None and v1.disable_v2_behavior() is None
    assert tf.enable_resource_variables() is None and not tf.executing_eagerly()
    with pytest.raises(NotImplementedError, match="graph mode only"):
        tf.enable_eager_execution()
    with pytest.raises(NotImplementedError, match="graph mode only"):
        v1.enable_v2_behavior()


def test_string_helpers():
    assert tf.compat.as_bytes("hé") == "hé".encode() and tf.compat.as_bytes(b"x") == b"x"
    assert tf.compat.as_text(b"h\xc3\xa9") == "hé" and tf.compat.as_str("s") == "s"
    assert tf.compat.as_str_any(3) == "3" and tf.compat.as_str_any(b"b") == "b"
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        tf.compat.as_bytes(3)
    assert tf.compat.forward_compatible(2019, 1, 1) and not tf.compat.forward_compatible(2030, 1, 1)
    assert tf.compat.dimension_value(tf.Dimension(4)) == 4
    assert isinstance(3, tf.compat.integral_types) and isinstance("a", tf.compat.bytes_or_text_types)


# -- tf.gfile ------------------------------------------------------------------------------------------------------


def test_gfile_reads_writes_and_lists(tmp_path):
    p = str(tmp_path / "a.txt")
    with tf.gfile.GFile(p, "w") as f:
        f.write("line1\nline2\n")
    assert tf.gfile.Exists(p) and not tf.gfile.IsDirectory(p) and tf.gfile.IsDirectory(str(tmp_path))
    assert list(tf.gfile.GFile(p)) == ["line1\n", "line2\n"]
    assert tf.gfile.GFile(p).readline() == "line1\n" and tf.gfile.GFile(p, "rb").read() == b"line1\nline2\n"
    assert tf.gfile.FastGFile(p).read() == "line1\nline2\n" and tf.gfile.Open(p).size() == 12
    assert tf.gfile.Stat(p).length == 12
    tf.gfile.MakeDirs(str(tmp_path / "d" / "e"))
    tf.gfile.MkDir(str(tmp_path / "d" / "f"))
    assert sorted(tf.gfile.ListDirectory(str(tmp_path / "d"))) == ["e", "f"]
    assert tf.gfile.Glob(str(tmp_path / "*.txt")) == [p]
    tf.gfile.Copy(p, p + "2")
    tf.gfile.Rename(p + "2", p + "3")
    assert tf.gfile.Exists(p + "3") and not tf.gfile.Exists(p + "2")
    walked = list(tf.gfile.Walk(str(tmp_path)))
    assert walked[0][0] == str(tmp_path) and "a.txt" in walked[0][2]
    tf.gfile.Remove(p + "3")
    tf.gfile.DeleteRecursively(str(tmp_path / "d"))
    assert not tf.gfile.Exists(str(tmp_path / "d"))


def test_gfile_errors_are_tf_errors(tmp_path):
    p = str(tmp_path / "a.txt")
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.gfile.GFile(p).read()
    with tf.gfile.GFile(p, "w") as f:
        f.write("x")
    with pytest.raises(tf.errors.AlreadyExistsError):
        tf.gfile.Copy(p, p)
    tf.gfile.Copy(p, p, overwrite=True)
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.Remove(p + "nope")
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory"):
        tf.gfile.ListDirectory(str(tmp_path / "zz"))


def test_python_platform_gfile_is_tf_gfile():
    from teachtf.python.platform import gfile

    assert gfile.GFile is tf.gfile.GFile and gfile.Exists is tf.gfile.Exists


# -- tf.logging -------------------------------------------------------------------------------------------------------


def test_logging_format_and_verbosity(capfd):
    old = tf.logging.get_verbosity()
    try:
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.info("step %d", 10)
        tf.logging.debug("hidden")
        tf.logging.warn("careful")
        for _ in range(3):
            tf.logging.log_first_n(tf.logging.INFO, "once", 1)
        err = capfd.readouterr().err.splitlines()
        assert err == ["INFO:tensorflow:step 10", "WARNING:tensorflow:careful", "INFO:tensorflow:once"]
        assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR, tf.logging.FATAL) == \
            (10, 20, 30, 40, 50)
    finally:
        tf.logging.set_verbosity(old)


# -- tf.flags and tf.app -----------------------------------------------------------------------------------------------


def test_flags_parse_known_flags_and_ignore_jupyter_arguments():
    fv = tf.flags.FlagValues()
    tf.flags.DEFINE_integer("steps", 100, "training steps", flag_values=fv)
    tf.flags.DEFINE_boolean("fast", True, "go fast", flag_values=fv)
    tf.flags.DEFINE_string("name", "model", "a name", flag_values=fv)
    tf.flags.DEFINE_float("lr", 0.1, "rate", flag_values=fv)
    rest = fv(["prog", "-f", "/run/kernel.json", "--steps=5", "--nofast", "--name", "m2", "extra"])
    assert (fv.steps, fv.fast, fv.name, fv.lr) == (5, False, "m2", 0.1)
    assert rest == ["prog", "-f", "/run/kernel.json", "extra"]
    assert fv.flag_values_dict()["steps"] == 5
    fv.lr = 0.5
    assert fv.lr == 0.5
    with pytest.raises(tf.flags.IllegalFlagValueError):
        fv(["prog", "--steps=many"])


def test_flags_parse_sys_argv_lazily(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["ipykernel_launcher.py", "-f", "kernel.json", "--batch=7"])
    fv = tf.flags.FlagValues()
    tf.flags.DEFINE_integer("batch", 32, "batch size", flag_values=fv)
    assert fv.batch == 7


def test_redefining_a_flag_warns_in_lenient_mode_and_raises_in_strict_mode():
    fv = tf.flags.FlagValues()
    tf.flags.DEFINE_integer("n", 1, "", flag_values=fv)
    with pytest.warns(DeprecationWarning, match="defined twice"):
        tf.flags.DEFINE_integer("n", 2, "", flag_values=fv)
    assert fv.n == 2 or fv["n"].default == 2
    tf.ext.set_strict(True)
    try:
        with pytest.raises(tf.flags.DuplicateFlagError):
            tf.flags.DEFINE_integer("n", 3, "", flag_values=fv)
    finally:
        tf.ext.set_strict(False)


def test_app_run_calls_main_with_remaining_args_and_exits_in_scripts(monkeypatch):
    import teachtf.app as app

    got = []
    monkeypatch.setattr(app, "_in_notebook", lambda: False)
    with pytest.raises(SystemExit) as e:
        tf.app.run(lambda argv: got.append(argv) or 3, argv=["prog", "pos"])
    assert e.value.code == 3 and got == [["prog", "pos"]]
    monkeypatch.setattr(app, "_in_notebook", lambda: True)
    assert tf.app.run(lambda argv: 5, argv=["prog"]) == 5, "no sys.exit inside notebooks"
    assert tf.app.flags is tf.flags


# -- install_as_tensorflow ---------------------------------------------------------------------------------------------


def _run_python(code):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(tf.__file__)))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          timeout=120)


def test_install_as_tensorflow_makes_tensorflow_imports_resolve_to_teachtf():
    r = _run_python("""
        import teachtf
        teachtf.install_as_tensorflow()
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        from tensorflow.python.platform import gfile
        assert tf is teachtf and v1.placeholder is teachtf.placeholder and gfile.GFile is teachtf.gfile.GFile
        x = tf.placeholder(tf.float32)
        with tf.Session() as s:
            print(s.run(x * 2, {x: 3.0}))
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "6.0"


def test_install_as_tensorflow_refuses_when_tensorflow_is_imported():
    r = _run_python("""
        import sys, types
        sys.modules["tensorflow"] = types.ModuleType("tensorflow")
        import teachtf
        try:
            teachtf.install_as_tensorflow()
        except RuntimeError as e:
            print("refused:", "already imported" in str(e))
    """)
    assert r.stdout.strip() == "refused: True", r.stderr


# -- strict mode hooks -------------------------------------------------------------------------------------------------


def test_strict_mode_hooks():
    from teachtf.ext import strict

    assert tf.ext.is_strict() is False
    with pytest.warns(DeprecationWarning, match="old form"):
        strict.lenient("test-key-unique", "old form")
    tf.ext.set_strict(True)
    try:
        with pytest.raises(ValueError, match="tf1.15 error"):
            strict.lenient("test-key-unique", "old form", ValueError("tf1.15 error"))
        with pytest.raises(TypeError, match="old form"):
            strict.lenient("other-key", "old form")
    finally:
        tf.ext.set_strict(False)


def test_version_strings():
    assert tf.VERSION == "1.15.0" and tf.version.VERSION == "1.15.0" and tf.__version__ != "1.15.0"
