"""lessons/make_student_versions.py: solutions removed (marker blocks and `solution`-tagged cells), outputs cleared."""

import importlib.util
import os

import nbformat
import pytest

_LESSONS = os.path.join(os.path.dirname(__file__), os.pardir, "lessons")
_spec = importlib.util.spec_from_file_location("make_student_versions",
                                               os.path.join(_LESSONS, "make_student_versions.py"))
msv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(msv)

SECRET = "secret_answer_42"


def _notebook():
    """A small lesson: a marked block inside a function, tagged code and markdown cells, and a plain cell."""
    nb = nbformat.v4.new_notebook()
    marked = nbformat.v4.new_code_cell(
        "def f(x):\n"
        "    ### BEGIN SOLUTION\n"
        f"    return x * 2  # {SECRET}\n"
        "    ### END SOLUTION\n"
        "\n"
        "print(f)")
    marked.outputs = [nbformat.v4.new_output("stream", text=f"{SECRET}\n")]
    marked.execution_count = 3
    tagged_code = nbformat.v4.new_code_cell(f"answer = '{SECRET}'", metadata={"tags": ["solution"]})
    tagged_markdown = nbformat.v4.new_markdown_cell(f"The answer is {SECRET}.", metadata={"tags": ["solution"]})
    plain = nbformat.v4.new_code_cell("check(answer)")
    plain.outputs = [nbformat.v4.new_output("stream", text="✓ ok\n")]
    prose = nbformat.v4.new_markdown_cell("## Exercise 1")
    nb.cells = [prose, marked, tagged_code, tagged_markdown, plain]
    return nb


def test_marked_block_becomes_an_indented_placeholder():
    source, blocks = msv.strip_solution_blocks("a = 1\n### BEGIN SOLUTION\nb = 2\nc = 3\n### END SOLUTION\nprint(b)")
    assert blocks == 1
    assert source == "a = 1\n# YOUR CODE HERE\nraise NotImplementedError()\nprint(b)"
    nested, blocks = msv.strip_solution_blocks("if x:\n    ### BEGIN SOLUTION\n    y = 1\n    ### END SOLUTION\n")
    assert blocks == 1
    assert nested == "if x:\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    compile(nested + "    pass\n", "<student cell>", "exec")  # still valid Python


def test_several_blocks_and_cells_without_markers():
    source = "### BEGIN SOLUTION\na\n### END SOLUTION\nmiddle\n### BEGIN SOLUTION\nb\n### END SOLUTION"
    stripped, blocks = msv.strip_solution_blocks(source)
    assert blocks == 2
    assert stripped.count("raise NotImplementedError()") == 2 and "middle" in stripped
    assert msv.strip_solution_blocks("x = 1\ny = 2") == ("x = 1\ny = 2", 0)


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "without '### END SOLUTION'"),
    ("x = 1\n### END SOLUTION", "line 2: '### END SOLUTION' without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: '### BEGIN SOLUTION' inside"),
])
def test_unbalanced_markers_raise_naming_the_place(source, message):
    with pytest.raises(msv.SolutionMarkerError, match=message):
        msv.strip_solution_blocks(source, "lesson.ipynb, cell 4")
    with pytest.raises(msv.SolutionMarkerError, match=r"lesson\.ipynb, cell 4"):
        msv.strip_solution_blocks(source, "lesson.ipynb, cell 4")


def test_student_notebook_removes_every_solution_and_output():
    original = _notebook()
    student, removed = msv.student_notebook(original, "demo.ipynb")
    assert removed == 3
    assert all(SECRET not in cell.source for cell in student.cells)
    marked, tagged_code, tagged_markdown, plain = student.cells[1:]
    assert marked.source == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nprint(f)"
    assert tagged_code.source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert tagged_markdown.source == "YOUR ANSWER HERE"
    assert plain.source == "check(answer)" and student.cells[0].source == "## Exercise 1"
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert tagged_code.metadata["tags"] == ["solution"]  # tags are kept, so the cell can be found again
    # the original is untouched
    assert SECRET in original.cells[1].source and original.cells[1].outputs and original.cells[4].outputs
    nbformat.validate(student)


def test_write_student_versions_copies_companions_and_keeps_originals(tmp_path, capsys):
    source_dir = tmp_path / "lessons"
    source_dir.mkdir()
    nbformat.write(_notebook(), source_dir / "01_demo.ipynb")
    (source_dir / "_support.py").write_text("def check(*a):\n    pass\n")
    (source_dir / "README.md").write_text("# index\n")
    (source_dir / "make_student_versions.py").write_text("# the tool itself is not copied\n")
    out = tmp_path / "student"
    assert msv.main([str(source_dir / "01_demo.ipynb"), "--out", str(out)]) == 0
    assert "01_demo.ipynb: 3 solution(s) removed" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb", "README.md", "_support.py"]
    assert SECRET not in (out / "01_demo.ipynb").read_text()
    assert SECRET in (source_dir / "01_demo.ipynb").read_text()


def test_refuses_to_overwrite_the_lessons_folder(tmp_path, capsys):
    nbformat.write(_notebook(), tmp_path / "01_demo.ipynb")
    assert msv.main([str(tmp_path / "01_demo.ipynb"), "--out", str(tmp_path)]) == 1
    assert "choose another folder" in capsys.readouterr().err
    assert SECRET in (tmp_path / "01_demo.ipynb").read_text()


def test_every_lesson_converts_to_valid_python_without_solutions(tmp_path):
    lessons = sorted(p for p in os.listdir(_LESSONS) if p.endswith(".ipynb"))
    assert lessons, "no lesson notebooks found"
    summary = msv.write_student_versions([os.path.join(_LESSONS, p) for p in lessons], tmp_path)
    for name in lessons:
        original = nbformat.read(os.path.join(_LESSONS, name), as_version=4)
        student = nbformat.read(tmp_path / name, as_version=4)
        marked = sum(c.source.count(msv.BEGIN_MARK) for c in original.cells if c.cell_type == "code")
        assert summary[name] >= marked
        assert len(student.cells) == len(original.cells)
        for cell in student.cells:
            if cell.cell_type == "code":  # markdown may mention the markers in prose
                assert msv.BEGIN_MARK not in cell.source and msv.END_MARK not in cell.source
                assert cell.outputs == []
                compile(cell.source, f"{name}:{cell.get('id')}", "exec")  # indentation survived the stripping
    assert (tmp_path / "_support.py").is_file()
