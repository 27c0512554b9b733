"""Tests of w2v_lib.exercises: student notebooks, keeping exercises/ up to date, and grading.

Most tests use the small fixture notebook tests/fixtures/notebooks/42_fixture.ipynb: exercise 42.1 is a
function exercise (region inside a def, hidden tests in its check), 42.2 a named answer, 42.3 a gradient whose
region sits in the middle of a function. Its first markdown cell shows the markers, which must stay as they are.
"""

import contextlib
import copy
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from w2v_lib import exercises

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
FIXTURE = FIXTURES / "42_fixture.ipynb"
STUB_42_1 = '    # YOUR CODE HERE\n    raise NotImplementedError("Exercise 42.1: replace this line with your solution.")'


def run(argv):
    """Call ``exercises.main`` and return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = exercises.main([str(arg) for arg in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def solution():
    return nbformat.read(FIXTURE, as_version=4)


@pytest.fixture(scope="module")
def student(solution):
    return exercises.student_notebook(solution, str(FIXTURE))


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
    assert student.metadata == {"kernelspec": exercises.KERNELSPEC, "language_info": {"name": "python"}}
    assert student.cells[3].metadata == {"exercise": {"id": "42.1", "role": "solution"}}
    assert student.cells[7].metadata == {"exercise": {"id": "42.2", "role": "check"},
                                         "deletable": False, "editable": False}
    assert student.cells[1].metadata == {}
    nbformat.validate(student)


def test_solution_notebook_is_not_modified(solution):
    assert "### BEGIN SOLUTION" in solution.cells[3].source
    assert solution == nbformat.read(FIXTURE, as_version=4)


def test_exercise_layout_lists_cells_and_titles(solution):
    assert exercises.exercise_layout(solution, str(FIXTURE)) == {
        "42.1": {"title": "Exercise 42.1: square every entry", "solution_cells": [3], "check_cells": [4]},
        "42.2": {"title": "Exercise 42.2: a named answer", "solution_cells": [6], "check_cells": [7]},
        "42.3": {"title": "Exercise 42.3: gradient of a cubic", "solution_cells": [9], "check_cells": [10]},
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
    with pytest.raises(exercises.ExerciseFormatError, match=f"07_x.ipynb: exercise 7.1 has no {role} cell"):
        exercises.student_notebook(new_notebook(cells=[cells[kept]]), "07_x.ipynb")


def test_unbalanced_markers_in_markdown_are_left_alone():
    text = "Close a region with\n\n    ### END SOLUTION"
    notebook = new_notebook(cells=[new_markdown_cell(text)])
    assert exercises.student_notebook(notebook, "07_x.ipynb").cells[0].source == text


def test_usage_errors_exit_with_code_2(tmp_path):
    for argv in ([], ["build", "--source", tmp_path / "nowhere"], ["grade"], ["grade", "x.ipynb", "--timeout", "0"]):
        with pytest.raises(SystemExit) as raised, contextlib.redirect_stderr(io.StringIO()):
            exercises.main([str(arg) for arg in argv])
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


def test_default_directories_are_the_checkout_s():
    assert exercises.ROOT == ROOT
    assert (ROOT / "w2v_lib" / "exercises.py").is_file()


# ---------------------------------------------------------------------------------------------------------
# The real course: exercises/ is what build writes, and every student notebook runs up to its first stub


REAL_NOTEBOOKS = sorted((ROOT / "notebooks").glob(exercises.NOTEBOOK_GLOB))
STUDENT_NOTEBOOKS = sorted((ROOT / "exercises").glob(exercises.NOTEBOOK_GLOB))


@pytest.mark.skipif(not REAL_NOTEBOOKS, reason="notebooks/ has no NN_*.ipynb yet")
def test_exercises_directory_is_up_to_date():
    code, out, err = run(["build", "--check"])
    assert code == 0, out + err + "\nRun `python -m w2v_lib exercises build` and commit exercises/."


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


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS or [
    pytest.param(None, marks=pytest.mark.skip(reason="exercises/ has no student notebooks yet"))],
    ids=lambda path: getattr(path, "name", "none"))
def test_student_notebook_runs_up_to_its_first_stub(path):
    assert_runs_up_to_its_stubs(path)


def test_fixture_student_notebook_runs_up_to_its_first_stub(tmp_path):
    run(["build", "--source", FIXTURES, "--output", tmp_path])
    assert_runs_up_to_its_stubs(tmp_path / "42_fixture.ipynb")


# ---------------------------------------------------------------------------------------------------------
# Grading. One grading run of several submissions (each a kernel start), shared by the tests below.

SOLVED = {
    "42.1": "def square_all(x):\n    return np.asarray(x, dtype=np.float64) ** 2",
    "42.2": "answer_42_2 = 6",
    "42.3": "def cubic_loss_and_gradient(x):\n    return float(np.sum(x**3)) / 3, x**2",
}
TIMEOUT = 6


def submission(student, folder, name, solutions=(), drop=(), strip_metadata=False):
    """Write a student notebook with some solution cells filled in and some cells deleted."""
    notebook = copy.deepcopy(student)
    for cell in notebook.cells:
        exercise = cell.metadata.get("exercise", {})
        if exercise.get("role") == "solution" and exercise["id"] in dict(solutions):
            cell.source = dict(solutions)[exercise["id"]]
        if strip_metadata:
            cell.metadata = {}
    notebook.cells = [cell for index, cell in enumerate(notebook.cells) if index not in drop]
    path = folder / name
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded(student, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    paths = {
        "solution": FIXTURE,
        "fresh": submission(student, folder, "42_fixture.ipynb"),
        # 42.1's solution cell deleted (counts as the stub), 42.2 solved.
        "one_solved": submission(student, folder, "42_alice.ipynb", {"42.2": SOLVED["42.2"]}, drop={3}),
        # 42.1 hard-codes the visible test's answer and its check is deleted; 42.2's check is edited to
        # print a tick; 42.3 solved and its check deleted.
        "tampered": submission(student, folder, "42_bob.ipynb", {
            "42.1": "def square_all(x):\n    return np.array([1.0, 4.0, 9.0])", "42.3": SOLVED["42.3"]},
            drop={4, 10}),
        "loop": submission(student, folder, "42_carol.ipynb", {
            "42.1": "def square_all(x):\n    while True:\n        pass", "42.2": "while True:\n    pass",
            "42.3": SOLVED["42.3"]}),
        "crash": submission(student, folder, "42_dan.ipynb", {
            "42.1": SOLVED["42.1"], "42.2": "import os\n\nos._exit(1)", "42.3": SOLVED["42.3"]}),
        "syntax": submission(student, folder, "42_gina.ipynb", {"42.1": "def square_all(x):\n    return x *"}),
        # Every exercise solved, but the cells lost their metadata: nothing can be matched.
        "stripped": submission(student, folder, "42_hal.ipynb", SOLVED, strip_metadata=True),
        "not_json": folder / "42_eve.ipynb",
        "not_notebook": folder / "42_frank.ipynb",
    }
    paths["not_json"].write_text("print('hello')\n")
    paths["not_notebook"].write_text('{"cells": 42}\n')
    code, out, err = run(["grade", "--json", "--timeout", TIMEOUT, "--source", FIXTURES, *paths.values()])
    lines = out.splitlines()
    return code, lines, dict(zip(paths, map(json.loads, lines)))


def outcomes(result):
    return [(exercise["id"], exercise["passed"]) for exercise in result["exercises"]]


def test_grading_finishes_with_exit_code_0_and_one_json_line_per_submission(graded):
    code, lines, results = graded
    assert code == 0
    assert len(lines) == len(results) == 10


def test_json_output_shape(graded):
    _, _, results = graded
    for result in results.values():
        assert set(result) == {"notebook", "score", "max_score", "exercises", "error"}
        assert result["max_score"] == 3 and len(result["exercises"]) == 3
        assert result["score"] == sum(exercise["passed"] for exercise in result["exercises"])
        for exercise in result["exercises"]:
            assert set(exercise) == {"id", "name", "passed", "message"}
            assert isinstance(exercise["passed"], bool) and isinstance(exercise["message"], str)
    assert results["solution"]["notebook"] == str(FIXTURE)
    assert [exercise["name"] for exercise in results["solution"]["exercises"]] == [
        "Exercise 42.1: square every entry", "Exercise 42.2: a named answer", "Exercise 42.3: gradient of a cubic"]


def test_solution_notebook_gets_full_marks_with_the_checks_messages(graded):
    result = graded[2]["solution"]
    assert (result["score"], result["error"]) == (3, None)
    assert [exercise["message"] for exercise in result["exercises"]] == [
        "✓ Exercise 42.1: correct on all 1 test cases. ✓ Exercise 42.1: correct on all 1 test cases.",
        "✓ Exercise 42.2: correct.",
        "✓ Exercise 42.3: gradcheck passed (max relative error below 1e-06).",
    ]


def test_fresh_student_notebook_gets_zero(graded):
    result = graded[2]["fresh"]
    assert result["score"] == 0
    for exercise in result["exercises"]:
        assert exercise["message"].startswith(f"Exercise {exercise['id']}: not done yet.")


def test_one_solved_exercise_scores_exactly_that_one(graded):
    result = graded[2]["one_solved"]
    assert outcomes(result) == [("42.1", False), ("42.2", True), ("42.3", False)]
    assert "not done yet" in result["exercises"][0]["message"]  # the deleted solution cell counts as the stub


def test_deleted_edited_and_hidden_checks_are_the_instructor_s(graded):
    result = graded[2]["tampered"]
    assert outcomes(result) == [("42.1", False), ("42.2", False), ("42.3", True)]
    # The hard-coded answer passes the visible test; the hidden test (input of shape (1, 2)) catches it.
    assert result["exercises"][0]["message"] == (
        "Exercise 42.1: on test case 1, the returned value has shape (3,), expected shape (1, 2).")
    assert "not done yet" in result["exercises"][1]["message"]
    assert result["exercises"][2]["message"].startswith("✓ Exercise 42.3: gradcheck passed")


def test_endless_loops_are_interrupted_and_later_exercises_still_graded(graded):
    result = graded[2]["loop"]
    assert outcomes(result) == [("42.1", False), ("42.2", False), ("42.3", True)]
    assert result["exercises"][0]["message"] == f"the check did not finish within {TIMEOUT} s (an endless loop?)"
    assert result["exercises"][1]["message"] == (
        f"your solution cell did not finish within {TIMEOUT} s (an endless loop?)")


def test_kernel_crash_is_reported_and_earlier_exercises_count(graded):
    result = graded[2]["crash"]
    assert outcomes(result) == [("42.1", True), ("42.2", False), ("42.3", False)]
    assert "kernel died while running it" in result["exercises"][1]["message"]
    assert result["exercises"][2]["message"] == "your solution cell not run: the kernel died in an earlier cell"


def test_an_error_in_the_solution_cell_is_shown_with_the_check_s_message(graded):
    result = graded[2]["syntax"]
    assert outcomes(result) == [("42.1", False), ("42.2", False), ("42.3", False)]
    message = result["exercises"][0]["message"]
    assert message.startswith("your solution cell raised SyntaxError: ")
    assert message.endswith("(then the check said: NameError: name 'square_all' is not defined)")


def test_a_submission_without_exercise_metadata_gets_zero_and_a_note(graded):
    result = graded[2]["stripped"]
    assert result["score"] == 0
    assert result["error"].startswith("the submission has no exercise solution cells")


@pytest.mark.parametrize("key, reason", [("not_json", "NotJSONError"), ("not_notebook", "")])
def test_files_that_are_not_notebooks_score_zero_with_a_message(graded, key, reason):
    result = graded[2][key]
    assert result["score"] == 0
    assert result["error"].startswith("not a readable notebook: ") and reason in result["error"]
    assert all(exercise["message"] == result["error"] for exercise in result["exercises"])


def test_table_output_and_unmatched_submission_exit_code_1(tmp_path):
    broken = tmp_path / "42_broken.ipynb"
    broken.write_text("not json")
    unmatched = tmp_path / "99_other.ipynb"
    nbformat.write(new_notebook(), unmatched)
    absent = tmp_path / "42_absent.ipynb"
    code, out, err = run(["grade", "--source", FIXTURES, broken, unmatched, absent])
    assert code == 1  # 99_other has no solution notebook and 42_absent no file: the grader's side is at fault
    lines = out.splitlines()
    assert lines[0] == f"{broken}: 0/3"
    assert lines[1].startswith("  note: not a readable notebook: NotJSONError")
    assert lines[2].startswith("  42.1   FAILED  not a readable notebook")
    assert f"{unmatched}: 0/0" in lines
    assert f"no solution notebook for 99_other.ipynb in {FIXTURES}" in out
    assert f"note: no such file: {absent}" in out
    assert f"grading {broken} ..." in err


def test_submission_is_matched_by_file_name_then_by_number(tmp_path):
    assert exercises.find_solution_notebook(Path("x/42_fixture.ipynb"), FIXTURES) == FIXTURE
    assert exercises.find_solution_notebook(Path("x/42_fixture_alice.ipynb"), FIXTURES) == FIXTURE
    with pytest.raises(LookupError, match="no solution notebook for fixture.ipynb"):
        exercises.find_solution_notebook(Path("fixture.ipynb"), FIXTURES)


def test_overall_time_limit_stops_the_notebook(student, tmp_path):
    # 42.1's check loops; with 2 s for the whole notebook it is cut at the limit and nothing after it runs.
    path = submission(student, tmp_path, "42_slow.ipynb", {
        "42.1": "def square_all(x):\n    while True:\n        pass", "42.2": SOLVED["42.2"]})
    result = exercises.grade(path, FIXTURES, timeout=60, total_timeout=2)
    assert outcomes(result) == [("42.1", False), ("42.2", False), ("42.3", False)]
    for exercise in result["exercises"][1:]:
        assert exercise["message"] == "your solution cell not run: the notebook used up its overall time limit of 2 s"


def test_grading_runs_next_to_the_notebooks_and_reports_failing_lesson_cells(tmp_path):
    # Notebooks read files relative to their own directory (../data/...), as nbval and students run them.
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "answer.txt").write_text("6\n")
    source = tmp_path / "notebooks"
    source.mkdir()
    cells = [
        new_code_cell('from pathlib import Path\n\nfrom w2v_lib.checks import check_close\n\n'
                      'expected = int(Path("../data/answer.txt").read_text())'),
        new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),  # an error shown on purpose
        new_code_cell("import a_module_that_does_not_exist"),
        new_markdown_cell("### Exercise 43.1: read the answer"),
        new_code_cell("### BEGIN SOLUTION\nanswer_43_1 = 6\n### END SOLUTION",
                      metadata={"exercise": {"id": "43.1", "role": "solution"}}),
        new_code_cell('check_close("Exercise 43.1", globals().get("answer_43_1"), expected)',
                      metadata={"exercise": {"id": "43.1", "role": "check"}}),
    ]
    nbformat.write(new_notebook(cells=cells), source / "43_paths.ipynb")
    code, out, _ = run(["grade", "--json", "--source", source, source / "43_paths.ipynb"])
    result = json.loads(out)
    assert code == 1  # the instructor's own cell 3 failed: the grader's side must look at it
    assert outcomes(result) == [("43.1", True)]
    assert result["error"] == (
        "cell 3 of the solution notebook (not an exercise cell) raised ModuleNotFoundError: No module named "
        "'a_module_that_does_not_exist'; exercises that rely on it may fail")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data", "notebooks"]  # the work directory is gone
