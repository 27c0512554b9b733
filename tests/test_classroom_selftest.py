"""The exercises' self-test (classroom.selftest): on its fixture, on broken variants of it, on every notebook.

Every course notebook must pass every rule: lesson cells run, every stub fails with "not done yet", every
solution passes, each exercise has at least one recorded wrong answer and each fails naming its mistake, and no
failure message shows an expected value (``w2v_lib.checks.record_expected``). A failure lists every exercise and
rule broken.
"""

import copy
from pathlib import Path

import nbformat
import pytest

from classroom import NOTEBOOK_GLOB
from classroom.selftest import _leaks, selftest_notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "selftest" / "43_selftest.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob(NOTEBOOK_GLOB))


def rules(report):
    return sorted((finding.exercise, finding.variant, finding.rule) for finding in report.findings)


def test_fixture_passes_every_rule():
    report = selftest_notebook(FIXTURE, timeout=30, recorder="record_expected")
    assert report.findings == [], report.summary()
    assert (report.exercises, report.variants) == (3, 9)


def broken_fixture(tmp_path, wrong_answers=(), leaky=False, stub_passes=False):
    notebook = nbformat.read(FIXTURE, as_version=4)
    solution = notebook.cells[4]
    solution.metadata["exercise"]["wrong_answers"] = copy.deepcopy(
        solution.metadata["exercise"]["wrong_answers"]) + list(wrong_answers)
    if leaky:
        notebook.cells[1].source = notebook.cells[1].source.replace(
            'raise CheckFailed(f"{name}: your answer is wrong.")',
            'raise CheckFailed(f"{name}: your answer is wrong: expected {float(np.ravel(expected)[0]):.6g}.")')
    if stub_passes:
        notebook.cells[12].source = 'print("✓ always")'
    path = tmp_path / "43_selftest.ipynb"
    nbformat.write(notebook, path)
    return path


def test_broken_rules_are_reported_precisely(tmp_path):
    path = broken_fixture(tmp_path, leaky=True, stub_passes=True, wrong_answers=[
        {"mistake": "a rounded value", "source": "answer_43_1 = 0.786448"},    # fails, but the message leaks
        {"mistake": "nothing wrong", "source": "answer_43_1 = 1 - np.tanh(0.5) ** 2"},  # passes
        {"mistake": "forgot the square", "source": "answer_43_1 = 1 - np.tanh(0.5)"},  # fails, mistake unnamed
    ])
    report = selftest_notebook(path, timeout=30, recorder="record_expected")
    assert rules(report) == [
        ("43.1", "wrong answer 2", "expected-value"),
        ("43.1", "wrong answer 2", "wrong-answer"),
        ("43.1", "wrong answer 3", "wrong-answer"),
        ("43.1", "wrong answer 4", "expected-value"),
        ("43.1", "wrong answer 4", "wrong-answer"),
        ("43.3", "stub", "stub"),
        ("43.3", "wrong answer 1", "wrong-answer"),
    ], report.summary()
    text = report.summary()
    assert "the wrong answer (nothing wrong) passes the checks" in text
    assert "no message names the mistake 'forgot the square'" in text
    assert "shows the expected value 0.786448" in text


def test_missing_recorder_is_a_failure_only_when_strict():
    lenient = selftest_notebook(FIXTURE, timeout=30, strict=False, recorder="no_such_recorder")
    assert [finding.rule for finding in lenient.warnings] == ["no-recorder"] and lenient.failures == []
    strict = selftest_notebook(FIXTURE, timeout=30, strict=True, recorder="no_such_recorder")
    assert [finding.rule for finding in strict.failures] == ["no-recorder"]


@pytest.mark.parametrize("message, values, shown", [
    ("got 0.5, expected -0.549306 (off by 1.05)", [-0.5493061443], ["-0.549306"]),
    ("expected 0.549 here", [-0.5493061443], ["0.549"]),
    ("index 3 is wrong", [3.0, 1.0, 0.0], []),  # small integers are not looked for
    ("value 12.5", [12.5001], ["12.5"]),  # 12.5001 to 3 significant digits
    ("took 1.25 s", [0.0125], []),
])
def test_expected_values_are_found_to_3_to_6_significant_digits(message, values, shown):
    assert _leaks(message, values) == shown


@pytest.mark.skipif(not NOTEBOOKS, reason="notebooks/ has no NN_*.ipynb yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_course_notebook(path):
    report = selftest_notebook(path, timeout=300, strict=True)
    assert report.failures == [], report.summary()
