"""A catalogue of cheating and faulty submissions, graded against the fixture notebook.

Every submission is graded by ``python -m classroom grade`` in a subprocess whose checkout is a temporary copy
(``w2v_lib``, ``classroom``, the fixture as the instructor notebook), so that an attack that got through would
damage the copy, not this repository. Each must score 0 on the exercise it attacks and leave the others as
their own code deserves; afterwards both the copy and this repository's tracked files are byte-identical and
no process a submission started is left.

The fixture's exercises: 42.1 a function (``square_all``) with a hidden test, 42.2 a named answer
(``answer_42_2 = 6``), 42.3 a gradient (``cubic_loss_and_gradient``).
"""

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from classroom import sandbox
from classroom.build import student_notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "notebooks" / "42_fixture.ipynb"
TIMEOUT = 4  # seconds per cell: the fixture's cells take milliseconds
MARKER = "classroom-cheat-marker"  # in the command line of every process a submission starts, to find survivors

SOLVED = {
    "42.1": "def square_all(x):\n    return np.asarray(x, dtype=np.float64) ** 2",
    "42.2": "answer_42_2 = 6",
    "42.3": "def cubic_loss_and_gradient(x):\n    return float(np.sum(x**3)) / 3, x**2",
}

# name -> (the solution cells' sources by exercise id, the exercises expected to pass). Sources may use
# {checkout} (the temporary checkout), {repository} (this one), {marker} and {python}.
CATALOGUE = {
    "solution": (SOLVED, {"42.1", "42.2", "42.3"}),
    "stubs": ({}, set()),
    "wrong_answer": ({"42.2": "answer_42_2 = 5", "42.3": SOLVED["42.3"]}, {"42.3"}),
    # Patching inside the kernel.
    "numpy_allclose_patched": ({"42.2": "np.allclose = lambda *a, **k: True\nanswer_42_2 = 5",
                                "42.3": SOLVED["42.3"]}, {"42.3"}),
    "check_function_replaced_in_module": (
        {"42.2": "import w2v_lib.checks\nw2v_lib.checks.check_close = lambda *a, **k: print('✓ fake')\n"
                 "w2v_lib.checks.check_value = w2v_lib.checks.check_close\nanswer_42_2 = 5"}, set()),
    "check_name_redefined": ({"42.2": "def check_close(*args, **kwargs):\n    print('✓ Exercise 42.2: correct.')"
                                      "\nanswer_42_2 = 5"}, set()),
    "check_code_swapped": ({"42.1": "import w2v_lib.checks as c\nc._judge.__code__ = (lambda *a: None).__code__\n"
                                    "def square_all(x):\n    return x"}, set()),
    "print_patched": ({"42.2": "import builtins\nbuiltins.print = lambda *a, **k: None\nanswer_42_2 = 5"}, set()),
    "module_swapped_in_sys_modules": (
        {"42.2": "import sys, types\nfake = types.ModuleType('w2v_lib.checks')\n"
                 "fake.check_close = lambda *a, **k: None\nsys.modules['w2v_lib.checks'] = fake\n"
                 "from w2v_lib.checks import check_close\nanswer_42_2 = 5"}, set()),
    "traceback_hidden": ({"42.2": "get_ipython().showtraceback = lambda *a, **k: None\nanswer_42_2 = 5"}, set()),
    "kernel_execute_patched": (
        {"42.2": "kernel = get_ipython().kernel\nkernel.do_execute = kernel.do_execute\nanswer_42_2 = 5"}, set()),
    # Writing to disk.
    "library_rewritten_via_file": (
        {"42.2": "import os, w2v_lib\nfor path in [os.path.join(os.path.dirname(w2v_lib.__file__), 'checks.py'),\n"
                 "             '{checkout}/w2v_lib/checks.py', '{repository}/w2v_lib/checks.py']:\n"
                 "    try:\n        open(path, 'w').write('def check_close(*a, **k): print(\"✓\")\\n')\n"
                 "    except OSError as error:\n        print('refused:', error)\nanswer_42_2 = 5"}, set()),
    "library_rewritten_via_editable_finder": (
        {"42.2": "import glob, re, site\nfor finder in glob.glob(site.getsitepackages()[0] + '/__editable__*finder.py'):\n"
                 "    for root in re.findall(r\"'(/[^']+/w2v_lib)'\", open(finder).read()):\n"
                 "        try:\n            open(root + '/checks.py', 'a').write('\\nX = 1\\n')\n"
                 "        except OSError as error:\n            print('refused:', error)\nanswer_42_2 = 5"}, set()),
    "instructor_notebook_rewritten": (
        {"42.2": "for path in ['{checkout}/notebooks/42_fixture.ipynb', '{repository}/tests/fixtures/notebooks/"
                 "42_fixture.ipynb']:\n    try:\n        open(path, 'w').write('{{}}')\n"
                 "    except OSError as error:\n        print('refused:', error)\nanswer_42_2 = 5"}, set()),
    "instructor_solutions_read": (
        {"42.2": "import json\nnotebook = json.load(open('{checkout}/notebooks/42_fixture.ipynb'))\n"
                 "exec(''.join(notebook['cells'][6]['source']))"}, set()),
    "ipython_startup_written_then_exit": (
        {"42.1": "import os\nfor folder in [os.path.expanduser('~/.ipython/profile_default/startup'),\n"
                 "               '/root/.ipython/profile_default/startup']:\n    try:\n"
                 "        os.makedirs(folder, exist_ok=True)\n"
                 "        open(folder + '/00-cheat.py', 'w').write('import w2v_lib.checks as c\\n"
                 "c.check_close = lambda *a, **k: print(\"✓\")\\n')\n    except OSError as error:\n"
                 "        print('refused:', error)\nexit()",
         "42.2": "answer_42_2 = 5"}, set()),
    "planted_kernel_launcher_then_exit": (
        {"42.1": "open('ipykernel_launcher.py', 'w').write('raise SystemExit(0)')\nopen('numpy.py', 'w').write('')\n"
                 "exit()", "42.2": SOLVED["42.2"]}, {"42.2"}),
    # Ending the kernel.
    "exit_in_first_exercise": ({"42.1": "exit()", "42.2": SOLVED["42.2"], "42.3": SOLVED["42.3"]}, {"42.2", "42.3"}),
    "quit_inside_the_checked_function": (
        {"42.1": "def square_all(x):\n    quit()", "42.2": SOLVED["42.2"]}, {"42.2"}),
    "os_exit": ({"42.1": SOLVED["42.1"], "42.2": "import os\nos._exit(3)", "42.3": SOLVED["42.3"]}, {"42.1", "42.3"}),
    "sys_exit": ({"42.2": "import sys\nsys.exit(0)", "42.3": SOLVED["42.3"]}, {"42.3"}),
    "timer_kills_kernel_later": (
        {"42.1": "import os, threading\nthreading.Timer(0.5, os._exit, [0]).start()\n"
                 "def square_all(x):\n    import time; time.sleep(1); return x * x",
         "42.2": SOLVED["42.2"], "42.3": SOLVED["42.3"]}, {"42.2", "42.3"}),
    # Time, processes, output, memory.
    "infinite_loop_in_solution_cell": ({"42.1": "while True:\n    pass", "42.2": SOLVED["42.2"]}, {"42.2"}),
    "infinite_loop_ignoring_interrupts": (
        {"42.1": "def square_all(x):\n    while True:\n        try:\n            while True:\n                pass\n"
                 "        except KeyboardInterrupt:\n            pass", "42.3": SOLVED["42.3"]}, {"42.3"}),
    "detached_children": (
        {"42.1": "import os, subprocess, sys\n"
                 "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{marker}'],"
                 " start_new_session=True)\n"
                 "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                 "        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', '{marker}'])\n"
                 "    os._exit(0)\n"
                 "def square_all(x):\n    return x", "42.2": SOLVED["42.2"]}, {"42.2"}),
    "signals_the_grader": ({"42.2": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nanswer_42_2 = 6",
                            "42.3": SOLVED["42.3"]}, {"42.3"}),
    "output_100_mb_at_once": ({"42.2": "print('x' * 100_000_000)\nanswer_42_2 = 6", "42.3": SOLVED["42.3"]},
                              {"42.3"}),
    "output_100_mb_in_lines": ({"42.2": "for _ in range(1_000_000):\n    print('y' * 99)\nanswer_42_2 = 6",
                                "42.3": SOLVED["42.3"]}, {"42.3"}),
    "memory_hog": ({"42.2": "hog = bytearray(64 * 2**30)\nanswer_42_2 = 6", "42.3": SOLVED["42.3"]}, {"42.3"}),
    "network_connection": ({"42.2": "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=2)\n"
                                    "answer_42_2 = 6"}, set()),
}
# Timing-dependent ones, graded three times: the scores must not vary.
REPEATED = ("exit_in_first_exercise", "infinite_loop_in_solution_cell", "timer_kills_kernel_later",
            "output_100_mb_in_lines", "os_exit")


def tracked_hashes(root):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout.split(b"\0")
    return {name: hashlib.sha256((root / name.decode()).read_bytes()).hexdigest()
            for name in files if name and (root / name.decode()).is_file()}


def tree_hashes(root):
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def survivors():
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if MARKER.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A temporary checkout: the packages, and the fixture as the instructor's only notebook."""
    root = tmp_path_factory.mktemp("checkout")
    for package in ("w2v_lib", "classroom"):
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "data").mkdir()
    (root / "data" / "README.md").write_text("data\n")
    (root / "notebooks").mkdir()
    shutil.copy(FIXTURE, root / "notebooks")
    return root


def write_submissions(folder, checkout, names):
    student = student_notebook(nbformat.read(FIXTURE, as_version=4), str(FIXTURE))
    for name in names:
        sources, _ = CATALOGUE[name]
        notebook = copy.deepcopy(student)
        for cell in notebook.cells:
            exercise = cell.metadata.get("exercise", {})
            if exercise.get("role") == "solution" and exercise["id"] in sources:
                cell.source = sources[exercise["id"]].format(
                    checkout=checkout, repository=ROOT, marker=MARKER, python=sys.executable)
        (folder / name).mkdir(parents=True)
        nbformat.write(notebook, folder / name / "42_fixture.ipynb")


def grade(checkout, folder, *options):
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "classroom", "grade", str(folder), "--json", "--timeout", str(TIMEOUT),
         "--output", str(folder.parent / f"{folder.name}-grades"), "--jobs", "2", *options],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=900)
    results = {Path(json.loads(line)["notebook"]).parent.name: json.loads(line) for line in process.stdout.splitlines()}
    return process, results, time.monotonic() - started


@pytest.fixture(scope="module")
def graded(checkout, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cheats") / "submissions"
    write_submissions(folder, checkout, CATALOGUE)
    repository_before, checkout_before = tracked_hashes(ROOT), tree_hashes(checkout)
    process, results, seconds = grade(checkout, folder)
    print(f"graded {len(results)} submissions in {seconds:.0f} s")
    for name, result in sorted(results.items()):
        print(f"{name}: {result['score']}/{result['max_score']} in {result['seconds']} s")
    return process, results, repository_before, checkout_before


def test_grader_imports_the_temporary_checkout(checkout):
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    found = subprocess.run([sys.executable, "-c", "import classroom, w2v_lib; print(classroom.ROOT, w2v_lib.__file__)"],
                           cwd=checkout, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert found == [str(checkout), str(checkout / "w2v_lib" / "__init__.py")]


def test_every_submission_is_graded(graded):
    process, results, _, _ = graded
    assert sorted(results) == sorted(CATALOGUE), process.stderr[-3000:]
    assert process.returncode == 0, process.stderr[-3000:]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_only_the_honest_exercises_pass(graded, name):
    _, results, _, _ = graded
    result = results[name]
    passed = {exercise["id"] for exercise in result["exercises"] if exercise["passed"]}
    messages = "\n".join(f"{exercise['id']}: {exercise['message']}" for exercise in result["exercises"])
    assert passed == CATALOGUE[name][1], messages
    assert result["score"] == len(passed)


@pytest.mark.parametrize("name, exercise_id, words", [
    ("numpy_allclose_patched", "42.2", "numpy.allclose was replaced"),
    ("check_function_replaced_in_module", "42.2", "w2v_lib.checks.check_close was replaced"),
    ("check_name_redefined", "42.2", "the name `check_close` that the check uses was redefined"),
    ("check_code_swapped", "42.1", "w2v_lib.checks._judge was replaced"),
    ("print_patched", "42.2", "builtins.print was replaced"),
    ("module_swapped_in_sys_modules", "42.2", "module w2v_lib.checks was replaced in sys.modules"),
    ("traceback_hidden", "42.2", "get_ipython().showtraceback was overridden"),
    ("kernel_execute_patched", "42.2", "get_ipython().kernel.do_execute was overridden"),
    ("exit_in_first_exercise", "42.1", "exit()"),
    ("os_exit", "42.2", "the kernel exited with status 3"),
    ("infinite_loop_in_solution_cell", "42.1", f"your solution cell did not finish within {TIMEOUT} s"),
    ("infinite_loop_ignoring_interrupts", "42.1", f"the check did not finish within {TIMEOUT} s"),
    ("output_100_mb_at_once", "42.2", "printed too much: it hit the output limit"),
    ("output_100_mb_in_lines", "42.2", "printed too much: it hit the output limit of 2 MiB per cell"),
    ("memory_hog", "42.2", "MemoryError"),
])
def test_the_reason_is_shown(graded, name, exercise_id, words):
    _, results, _, _ = graded
    message = next(exercise["message"] for exercise in results[name]["exercises"] if exercise["id"] == exercise_id)
    assert words in message


@pytest.mark.skipif(sandbox.landlock_abi() == 0, reason="no Landlock on this system")
@pytest.mark.parametrize("name", ["instructor_solutions_read", "network_connection"])
def test_landlock_refuses_reading_the_solutions_and_the_network(graded, name):
    _, results, _, _ = graded
    message = next(exercise["message"] for exercise in results[name]["exercises"] if exercise["id"] == "42.2")
    assert message.startswith("your solution cell raised PermissionError"), message


def test_checkout_and_repository_are_unchanged(graded, checkout):
    _, _, repository_before, checkout_before = graded
    assert tracked_hashes(ROOT) == repository_before
    assert tree_hashes(checkout) == checkout_before


def test_no_process_survives(graded):
    assert survivors() == []


def test_scores_are_identical_over_repeated_runs(checkout, tmp_path):
    scores = []
    for run in range(3):
        folder = tmp_path / f"run{run}"
        write_submissions(folder, checkout, REPEATED)
        _, results, _ = grade(checkout, folder)
        scores.append({name: [exercise["passed"] for exercise in result["exercises"]]
                       for name, result in results.items()})
    assert scores[0] == scores[1] == scores[2]
    assert {name: sum(passed) for name, passed in scores[0].items()} == {
        name: len(CATALOGUE[name][1]) for name in REPEATED}


def test_changes_to_the_checkout_are_restored_and_score_zero(checkout, tmp_path):
    # Without Landlock the kernel can write the checkout: the grader notices, restores it and scores 0.
    folder = tmp_path / "submissions"
    folder.mkdir()
    student = student_notebook(nbformat.read(FIXTURE, as_version=4), str(FIXTURE))
    for cell in student.cells:
        if cell.metadata.get("exercise", {}).get("role") == "solution":
            cell.source = SOLVED[cell.metadata["exercise"]["id"]]
            if cell.metadata["exercise"]["id"] == "42.2":
                cell.source = (f"open('{checkout}/w2v_lib/checks.py', 'a').write('\\n# changed\\n')\n"
                               f"open('{checkout}/w2v_lib/evil.py', 'w').write('')\n"
                               f"open('{checkout}/notebooks/42_fixture.ipynb', 'w').write('{{}}')\nanswer_42_2 = 6")
    (folder / "mallory").mkdir()
    nbformat.write(student, folder / "mallory" / "42_fixture.ipynb")
    before = tree_hashes(checkout)
    process, results, _ = grade(checkout, folder, "--no-landlock")
    result = results["mallory"]
    assert result["score"] == 0
    assert "changed files the grader depends on (restored)" in result["error"]
    assert "changed the checkout" in process.stderr
    assert tree_hashes(checkout) == before
