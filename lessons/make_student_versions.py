"""Write student versions of the lesson notebooks: the worked solutions removed, outputs cleared.

    python lessons/make_student_versions.py --out student/            # every lessons/*.ipynb
    python lessons/make_student_versions.py lessons/10_*.ipynb --out student/

Two ways to mark a solution (docs/classroom.md, "Teacher notes"):

- a block inside a code cell between the lines `### BEGIN SOLUTION` and `### END SOLUTION` (the convention of
  nbgrader, used by every lesson): the block, markers included, becomes `# YOUR CODE HERE` +
  `raise NotImplementedError()` at the indentation of the BEGIN line;
- a whole cell tagged `solution` (cell metadata "tags"): a code cell gets the same placeholder, a markdown cell
  `YOUR ANSWER HERE`.

Every output and execution count is cleared. The other files of each notebook's folder (`_support.py`, `README.md`)
are copied next to the student notebooks, so the self-check cells keep working. The originals are never modified.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

BEGIN_MARK = "### BEGIN SOLUTION"
END_MARK = "### END SOLUTION"
SOLUTION_TAG = "solution"
CODE_PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_PLACEHOLDER = "YOUR ANSWER HERE"
SKIPPED_FILES = {"make_student_versions.py"}


class SolutionMarkerError(ValueError):
    """A `### BEGIN SOLUTION` without its `### END SOLUTION` (or the reverse), or nested markers."""


def strip_solution_blocks(source: str, where: str = "cell") -> tuple[str, int]:
    """`source` with each BEGIN/END SOLUTION block replaced by the placeholder; returns (new source, blocks)."""
    out: list[str] = []
    blocks = 0
    inside = False
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith(BEGIN_MARK):
            if inside:
                raise SolutionMarkerError(f"{where}, line {number}: {BEGIN_MARK!r} inside another solution block")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            out.extend(indent + text for text in CODE_PLACEHOLDER)
            blocks += 1
        elif stripped.startswith(END_MARK):
            if not inside:
                raise SolutionMarkerError(f"{where}, line {number}: {END_MARK!r} without {BEGIN_MARK!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionMarkerError(f"{where}: {BEGIN_MARK!r} without {END_MARK!r}")
    return "\n".join(out), blocks


def student_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> tuple[nbformat.NotebookNode, int]:
    """A copy of `nb` with solutions replaced and outputs cleared; returns (copy, solutions removed)."""
    nb = nbformat.from_dict(nb)  # a deep copy: the caller's notebook is left as it was
    removed = 0
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} ({cell.get('id', 'no id')})"
        tagged = SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code":
            if tagged:
                cell.source = "\n".join(CODE_PLACEHOLDER)
                removed += 1
            else:
                cell.source, blocks = strip_solution_blocks(cell.source, where)
                removed += blocks
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        elif tagged:
            cell.source = MARKDOWN_PLACEHOLDER
            removed += 1
    return nb, removed


def write_student_versions(notebooks: list[Path], out_dir: Path) -> dict[str, int]:
    """Writes the student version of each notebook into `out_dir`, plus the companion files of their folders.

    Returns {notebook file name: solutions removed}. Refuses to write into a notebook's own folder.
    """
    out_dir = Path(out_dir)
    sources = {Path(p).resolve().parent for p in notebooks}
    if out_dir.resolve() in sources:
        raise ValueError(f"--out {out_dir} is the lessons folder itself; choose another folder so the originals "
                         "are kept")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, int] = {}
    for path in notebooks:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        student, removed = student_notebook(nb, path.name)
        nbformat.validate(student)
        nbformat.write(student, out_dir / path.name)
        summary[path.name] = removed
    for folder in sorted(sources):
        for companion in sorted(folder.iterdir()):
            if companion.is_file() and companion.suffix != ".ipynb" and companion.name not in SKIPPED_FILES:
                shutil.copy2(companion, out_dir / companion.name)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to convert (default: every .ipynb next to this script)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the student versions")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(Path(__file__).resolve().parent.glob("*.ipynb"))
    if not notebooks:
        print("no notebooks found", file=sys.stderr)
        return 1
    try:
        summary = write_student_versions(notebooks, args.out)
    except (ValueError, OSError) as err:  # SolutionMarkerError is a ValueError
        print(f"error: {err}", file=sys.stderr)
        return 1
    for name, removed in summary.items():
        print(f"{name}: {removed} solution(s) removed")
    print(f"wrote {len(summary)} notebook(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
