"""Tests of classroom's builder and grader: student notebooks, keeping exercises/ up to date, and grading.

Most tests use the small fixture notebook tests/fixtures/notebooks/42_fixture.ipynb: exercise 42.1 is a
function exercise (region inside a def, hidden tests in its check), 42.2 a named answer, 42.3 a gradient whose
region sits in the middle of a function. Its first markdown cell shows the markers, which must stay as they are.
"""

import contextlib
import io
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from classroom import NOTEBOOK_GLOB, layout
from classroom import __main__ as cli
from classroom import build as builder

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
FIXTURE = FIXTURES / "42_fixture.ipynb"
STUB_42_1 = '    # YOUR CODE HERE\n    raise NotImplementedError("Exercise 42.1: replace this line with your solution.")'


def run(argv):
    """Call ``python -m classroom``'s main and return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(arg) for arg in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def solution():
    return nbformat.read(FIXTURE, as_version=4)


@pytest.fixture(scope="module")
def student(solution):
    return builder.student_notebook(solution, str(FIXTURE))


# ---------------------------------------------------------------------------------------------------------
# The student version of one notebook


def test_function_stub_keeps_signature_and_code_before_the_region(student):
    assert student.cells[3].source == (
        "def square_all(x):\n"
        '    """Return x ** 2, entry by entry."""\n'
        "    x = np.asarray(x, dtype=np.float64)\n" + STUB_42_1)


def test_stub_in_the_middle_of_a_function_keeps_the_code_after_it(student):
    assert student.cells[9].source == (
        "def cubic_loss_and_gradient(x):\n"
        '    """Loss sum(x ** 3) / 3 and its gradient."""\n'
        "    loss = float(np.sum(x**3)) / 3\n"
        "    # YOUR CODE HERE\n"
        '    raise NotImplementedError("Exercise 42.3: replace this line with your solution.")\n'
        "    return loss, grad")


def test_named_answer_stub_is_at_column_zero(student):
    assert student.cells[6].source == (
        '# YOUR CODE HERE\nraise NotImplementedError("Exercise 42.2: replace this line with your solution.")')


def test_hidden_tests_are_removed_and_no_solution_leaks(student):
    assert student.cells[4].source == (
        'check_function("Exercise 42.1", square_all, np.square, [(np.array([1.0, -2.0, 3.0]),)])\n'
        "# (hidden tests run here when the notebook is graded)")
    code = "\n".join(cell.source for cell in student.cells if cell.cell_type == "code")
    for secret in ("return x * x", "answer_42_2 = 6", "grad = x**2", "[[0.5, -4.0]]", "BEGIN", "END"):
        assert secret not in code


def test_markdown_and_lesson_cells_are_unchanged(solution, student):
    assert "### BEGIN SOLUTION\nsecret = 1\n### END SOLUTION" in solution.cells[0].source
    for index in (0, 1, 2, 5, 8):
        assert student.cells[index].source == solution.cells[index].source
    assert [cell.cell_type for cell in student.cells] == [cell.cell_type for cell in solution.cells]


def test_outputs_counts_and_metadata_are_normalized(solution, student):
    assert any(cell.get("outputs") for cell in solution.cells)  # the fixture is stored with outputs
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert student.metadata == {"kernelspec": builder.KERNELSPEC, "language_info": {"name": "python"}}
    assert student.cells[3].metadata == {"exercise": {"id": "42.1", "role": "solution"}}
    assert student.cells[7].metadata == {"exercise": {"id": "42.2", "role": "check"},
                                         "deletable": False, "editable": False}
    assert student.cells[1].metadata == {}
    nbformat.validate(student)


def test_solution_notebook_is_not_modified(solution):
    assert "### BEGIN SOLUTION" in solution.cells[3].source
    assert solution == nbformat.read(FIXTURE, as_version=4)


def test_exercise_layout_lists_cells_and_titles(solution):
    common = {"points": 1, "markdown_cells": [], "wrong_answers": []}
    assert layout.exercise_layout(solution, str(FIXTURE)) == {
        "42.1": {"title": "Exercise 42.1: square every entry", "solution_cells": [3], "check_cells": [4], **common},
        "42.2": {"title": "Exercise 42.2: a named answer", "solution_cells": [6], "check_cells": [7], **common},
        "42.3": {"title": "Exercise 42.3: gradient of a cubic", "solution_cells": [9], "check_cells": [10],
                 **common},
    }


# ---------------------------------------------------------------------------------------------------------
# build and build --check


def test_build_is_byte_identical_on_rebuild_and_check_passes(tmp_path):
    output = tmp_path / "exercises"
    code, out, _ = run(["build", "--source", FIXTURES, "--output", output])
    assert code == 0 and "wrote" in out
    assert [path.name for path in output.iterdir()] == ["42_fixture.ipynb"]
    first = (output / "42_fixture.ipynb").read_bytes()
    assert nbformat.reads(first.decode("utf-8"), as_version=4).cells[3].source.endswith(STUB_42_1)
    shutil.rmtree(output)
    run(["build", "--source", FIXTURES, "--output", output])
    assert (output / "42_fixture.ipynb").read_bytes() == first
    code, out, _ = run(["build", "--source", FIXTURES, "--output", output, "--check"])
    assert code == 0 and "up to date" in out
    code, out, _ = run(["build", "--source", FIXTURES, "--output", output])
    assert code == 0 and "wrote" not in out and "1 unchanged" in out


def test_check_names_stale_missing_and_extra_files(tmp_path):
    output = tmp_path / "exercises"
    check = ["build", "--source", FIXTURES, "--output", output, "--check"]
    code, out, _ = run(check)
    assert code == 1 and f"missing: {output / '42_fixture.ipynb'}" in out
    run(["build", "--source", FIXTURES, "--output", output])
    built = output / "42_fixture.ipynb"
    original = built.read_bytes()
    built.write_bytes(original.replace(b"YOUR CODE HERE", b"YOUR CODE THERE"))
    code, out, _ = run(check)
    assert code == 1 and f"stale: {built}" in out
    built.write_bytes(original)
    (output / "07_renamed.ipynb").write_text("{}")
    (output / "README.md").write_text("not a student notebook")
    code, out, _ = run(check)
    assert code == 1 and "extra (no source notebook): " + str(output / "07_renamed.ipynb") in out
    assert "README" not in out
    code, out, _ = run(["build", "--source", FIXTURES, "--output", output])
    assert code == 0 and "removed" in out
    assert sorted(path.name for path in output.iterdir()) == ["42_fixture.ipynb", "README.md"]
    assert run(check)[0] == 0


SOLUTION_7 = {"exercise": {"id": "7.1", "role": "solution"}}
CHECK_7 = {"exercise": {"id": "7.1", "role": "check"}}


def check_cell():
    return new_code_cell('check_close("Exercise 7.1", globals().get("answer_7_1"), 1)', metadata=CHECK_7)


@pytest.mark.parametrize("cell, message", [
    (new_code_cell("### BEGIN SOLUTION\nanswer_7_1 = 1", metadata=SOLUTION_7),
     "cell 2 ('### BEGIN SOLUTION'), line 1: the region is never closed"),
    (new_code_cell("answer_7_1 = 1\n### END SOLUTION", metadata=SOLUTION_7),
     "line 2: ### END SOLUTION without a matching BEGIN line"),
    (new_code_cell("### BEGIN SOLUTION\nanswer_7_1 = 1\n### END HIDDEN TESTS", metadata=SOLUTION_7),
     "line 3: ### END HIDDEN TESTS without a matching BEGIN line"),
    (new_code_cell("### BEGIN SOLUTION\n### BEGIN SOLUTION\nanswer_7_1 = 1\n### END SOLUTION", metadata=SOLUTION_7),
     "line 2: ### BEGIN SOLUTION inside the region opened on line 1"),
    (new_code_cell("## BEGIN SOLUTION\nanswer_7_1 = 1\n## END SOLUTION", metadata=SOLUTION_7),
     "line 1: '## BEGIN SOLUTION' looks like a marker but is not one"),
    (new_code_cell("### BEGIN SOLUTION\nanswer_7_1 = 1\n### END SOLUTION"),
     "cell 2 ('### BEGIN SOLUTION'): a ### BEGIN SOLUTION region in a cell without exercise metadata"),
    (new_code_cell("answer_7_1 = 1", metadata=SOLUTION_7),
     "cell 2 ('answer_7_1 = 1'): solution cell of exercise 7.1 has no ### BEGIN SOLUTION"),
    (new_code_cell("### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"), "hidden tests belong in a check cell"),
    (new_code_cell("### BEGIN SOLUTION\nanswer_7_1 = 1\n### END SOLUTION",
                   metadata={"exercise": {"id": "7-1", "role": "solution"}}),
     "exercise id must be a string \"N.k\" such as \"3.2\", got '7-1'"),
    (new_code_cell("### BEGIN SOLUTION\nanswer_3_1 = 1\n### END SOLUTION",
                   metadata={"exercise": {"id": "3.1", "role": "solution"}}),
     "exercise id 3.1 should start with the notebook number 7"),
    (new_code_cell("### BEGIN SOLUTION\nanswer_7_1 = 1\n### END SOLUTION",
                   metadata={"exercise": {"id": "7.1", "role": "answer"}}),
     "exercise metadata must be"),
])
def test_malformed_notebooks_are_rejected_naming_notebook_and_cell(tmp_path, cell, message):
    source = tmp_path / "notebooks"
    source.mkdir()
    cells = [new_markdown_cell("### Exercise 7.1: one"), cell, check_cell()]
    nbformat.write(new_notebook(cells=cells), source / "07_bad.ipynb")
    code, out, err = run(["build", "--source", source, "--output", tmp_path / "exercises"])
    assert code == 1
    assert f"error: {source / '07_bad.ipynb'}" in err and message in err
    assert not (tmp_path / "exercises").exists()  # nothing is written when any notebook is wrong


@pytest.mark.parametrize("role", ["solution", "check"])
def test_an_exercise_needs_both_a_solution_and_a_check_cell(role):
    cells = {"solution": new_code_cell("### BEGIN SOLUTION\nanswer_7_1 = 1\n### END SOLUTION", metadata=SOLUTION_7),
             "check": check_cell()}
    kept = "check" if role == "solution" else "solution"
    with pytest.raises(layout.ExerciseFormatError, match=f"07_x.ipynb: exercise 7.1 has no {'code solution' if role == 'solution' else role} cell"):
        builder.student_notebook(new_notebook(cells=[cells[kept]]), "07_x.ipynb")


def test_unbalanced_markers_in_markdown_are_left_alone():
    text = "Close a region with\n\n    ### END SOLUTION"
    notebook = new_notebook(cells=[new_markdown_cell(text)])
    assert builder.student_notebook(notebook, "07_x.ipynb").cells[0].source == text


def test_usage_errors_exit_with_code_2(tmp_path):
    for argv in ([], ["build", "--source", tmp_path / "nowhere"], ["grade"], ["grade", "x.ipynb", "--timeout", "0"]):
        with pytest.raises(SystemExit) as raised, contextlib.redirect_stderr(io.StringIO()):
            cli.main([str(arg) for arg in argv])
        assert raised.value.code == 2


def test_build_refuses_to_overwrite_the_solutions(tmp_path):
    source = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, source)
    code, _, err = run(["build", "--source", source, "--output", tmp_path / "notebooks" / ".." / "notebooks"])
    assert code == 1 and "would overwrite the solutions" in err
    assert (source / "42_fixture.ipynb").read_bytes() == FIXTURE.read_bytes()


def test_build_needs_solution_notebooks(tmp_path):
    code, _, err = run(["build", "--source", tmp_path, "--output", tmp_path / "out"])
    assert code == 1 and "no solution notebooks" in err


def test_the_tooling_is_not_part_of_the_teaching_library():
    assert not (ROOT / "w2v_lib" / "exercises.py").exists()


# ---------------------------------------------------------------------------------------------------------
# The real course: exercises/ is what build writes, and every student notebook runs up to its first stub


REAL_NOTEBOOKS = sorted((ROOT / "notebooks").glob(NOTEBOOK_GLOB))


@pytest.mark.skipif(not REAL_NOTEBOOKS, reason="notebooks/ has no NN_*.ipynb yet")
def test_exercises_directory_is_up_to_date():
    code, out, err = run(["build", "--check"])
    assert code == 0, out + err + "\nRun `python -m classroom build` and commit exercises/."


def assert_runs_up_to_its_stubs(path):
    """Run a student notebook; lesson cells must not fail and every exercise must fail only on its stub."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    first_errors = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        error = next((output for output in cell.outputs if output.output_type == "error"), None)
        role = cell.metadata.get("exercise", {}).get("role")
        where = f"{path.name}, cell {number} ({role or 'lesson'} cell)"
        stub_error = error is not None and error.ename == "NotImplementedError" and (
            role == "solution" or "not done yet" in error.evalue)
        if role == "check":
            assert stub_error, f"{where}: a check must fail on the stub with its 'not done yet' message, got " + (
                "no error" if error is None else f"{error.ename}: {error.evalue}")
        elif error is not None:
            assert role == "solution" and error.ename == "NotImplementedError", (
                f"{where} raised {error.ename}: {error.evalue}")
        if error is not None:
            first_errors.append(error.ename)
    assert first_errors and first_errors[0] == "NotImplementedError"


# Every course notebook's stubs, solutions and lesson cells: tests/test_classroom_selftest.py (one kernel each).


def test_fixture_student_notebook_runs_up_to_its_first_stub(tmp_path):
    run(["build", "--source", FIXTURES, "--output", tmp_path])
    assert_runs_up_to_its_stubs(tmp_path / "42_fixture.ipynb")
