"""A catalogue of cheating and faulty submissions, graded against the fixture notebook.

Every submission is graded by ``python -m classroom grade`` in a subprocess whose checkout is a temporary copy
(``w2v_lib``, ``classroom``, the fixture as the instructor notebook), so that an attack that got through would
damage the copy, not this repository. Each must score 0 on the exercise it attacks and leave the others as
their own code deserves; afterwards both the copy and this repository's tracked files are byte-identical and
no process a submission started is left.

The fixture's exercises: 42.1 a function (``square_all``) with a hidden test, 42.2 a named answer
(``answer_42_2 = 6``, its check computing 6 with ``operator.mul`` as course check cells use ``scipy.special``),
42.3 a gradient (``cubic_loss_and_gradient``).
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
from classroom.kernel import Limits

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "notebooks" / "42_fixture.ipynb"
TIMEOUT = 4  # seconds per cell: the fixture's cells take milliseconds
MARKER = "classroom-cheat-marker"  # in the command line of every process a submission starts, to find survivors

SOLVED = {
    "42.1": "def square_all(x):\n    return np.asarray(x, dtype=np.float64) ** 2",
    "42.2": "answer_42_2 = 6",
    "42.3": "def cubic_loss_and_gradient(x):\n    return float(np.sum(x**3)) / 3, x**2",
}

# Attacks that change what a check sees without rebinding a fingerprinted name (braces doubled for format()).
ANSWER_FROM_FRAMES = """import sys
class Answer:
    def __array__(self, dtype=None, copy=None):
        frame = sys._getframe(1)
        while "expected" not in frame.f_locals:
            frame = frame.f_back
        return np.asarray(frame.f_locals["expected"], dtype=dtype)
answer_42_2 = Answer()"""
TRANSFORMER = """def wrap(lines):
    if "check_" not in "".join(lines):
        return lines
    return ["try:\\n"] + ["    " + line for line in lines] + ["\\nexcept Exception:\\n    print('✓ fake')\\n"]
get_ipython().input_transformers_post.append(wrap)
answer_42_2 = 5"""
TRACER = """import sys
def tracer(frame, event, arg):
    def rewrite(frame, event, arg):
        if event == "line" and "expected" in frame.f_locals:
            frame.f_locals["got"] = frame.f_locals["expected"]
        return rewrite
    return rewrite if frame.f_code.co_name == "_judge" else None
sys.settrace(tracer)
answer_42_2 = 5"""
THREAD = """import sys, threading, time
import w2v_lib.checks as checks
kernel, original = get_ipython().kernel, checks._close
def fake(got, expected, atol, rtol):
    return np.ones(np.shape(expected), bool)
def patch_while_no_fingerprint_is_taken():
    while True:
        content = kernel.get_parent().get("content", dict())
        probing = bool(content.get("user_expressions")) or not content.get("code")
        checks._close = original if probing else fake
        time.sleep(0.00005)
threading.Thread(target=patch_while_no_fingerprint_is_taken, daemon=True).start()
sys.setswitchinterval(1e-6)
answer_42_2 = 5"""
# Hides every error in the messages the kernel sends; json is no fingerprinted module: the cell the grader runs
# after each passed check, which must fail, catches it.
REPLIES_REWRITTEN = """import json
dumps = json.dumps
def rewrite(obj, *args, **kwargs):
    if isinstance(obj, dict):
        if obj.get("msg_type") == "error":
            obj = dict(obj, msg_type="stream")
        if obj.get("status") == "error":
            obj = dict(status="ok", execution_count=obj.get("execution_count"), user_expressions=dict(), payload=[])
        if "ename" in obj and "traceback" in obj:
            obj = dict(name="stdout", text="")
    return dumps(obj, *args, **kwargs)
json.dumps = rewrite
answer_42_2 = 5"""

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
    "reference_module_patched": ({"42.2": "import operator\noperator.mul = lambda a, b: 5\nanswer_42_2 = 5"}, set()),
    "module_class_swapped": (
        {"42.1": "import types\nclass Lying(types.ModuleType):\n    def __getattribute__(self, name):\n"
                 "        return (lambda x: x) if name == 'square' else super().__getattribute__(name)\n"
                 "np.__class__ = Lying\ndef square_all(x):\n    return x"}, set()),
    # Mutating, not rebinding: what runs around a cell, what the check reads, a thread between fingerprints.
    # 42.3 stays a stub: an error-hiding hook left by 42.2 must not pass it either.
    "answer_reads_expected_through_frames": ({"42.2": ANSWER_FROM_FRAMES}, set()),
    "input_transformer_hides_failures": ({"42.2": TRANSFORMER}, set()),
    "event_callbacks_hide_failures": (
        {"42.2": "ip = get_ipython()\nip.set_custom_exc((Exception,), lambda *a, **k: None)\n"
                 "ip.events.register('post_run_cell', lambda result: setattr(result, 'error_in_exec', None))\n"
                 "answer_42_2 = 5"}, set()),
    "ipython_class_patched": (
        {"42.2": "from IPython.core.interactiveshell import ExecutionResult, InteractiveShell\n"
                 "InteractiveShell.showtraceback = lambda *a, **k: None\n"
                 "ExecutionResult.success = property(lambda self: True)\nanswer_42_2 = 5"}, set()),
    "replies_rewritten": ({"42.2": REPLIES_REWRITTEN}, set()),
    "trace_function_rewrites_locals": ({"42.2": TRACER}, set()),
    "thread_patches_between_fingerprints": ({"42.2": THREAD}, set()),
    "signal_handler_left_for_later": (
        {"42.1": "import signal\ndef later(*args):\n    raise RuntimeError('planted by 42.1')\n"
                 "signal.signal(signal.SIGALRM, later)\nsignal.setitimer(signal.ITIMER_REAL, 1.0)\n" + SOLVED["42.1"],
         "42.2": "import time\ntime.sleep(2)\n" + SOLVED["42.2"], "42.3": SOLVED["42.3"]}, {"42.2", "42.3"}),
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
    "comm_message_flood": ({"42.2": "import comm\nchannel = comm.create_comm(target_name='flood')\n"
                                    "for _ in range(300):\n    channel.send(dict(data='z' * 100_000))\n"
                                    "answer_42_2 = 6", "42.3": SOLVED["42.3"]}, {"42.3"}),
    "fork_flood": ({"42.1": "import os, sys, time\nfor _ in range(60):\n    if os.fork() == 0:\n        os.setsid()\n"
                            "        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', "
                            "'{marker}'])\ntime.sleep(3)\n" + SOLVED["42.1"], "42.2": SOLVED["42.2"]}, {"42.2"}),
    "process_outlives_its_exercise": (
        {"42.1": "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', "
                 "'{marker}-outlives'], start_new_session=True)\n" + SOLVED["42.1"],
         "42.2": "import os\nfor pid in filter(str.isdigit, os.listdir('/proc')):\n    try:\n"
                 "        assert b'{marker}-outlives' not in open(f'/proc/{{pid}}/cmdline', 'rb').read(), 'a process of 42.1 lives'\n"
                 "    except OSError:\n        pass\nanswer_42_2 = 6"}, {"42.1", "42.2"}),
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
    ("reference_module_patched", "42.2", "operator.mul was replaced"),
    ("module_class_swapped", "42.1", "the class of module numpy was replaced"),
    ("answer_reads_expected_through_frames", "42.2", "`answer_42_2` holds a Answer object"),
    ("input_transformer_hides_failures", "42.2", "get_ipython().input_transformers_post holds a transformer"),
    ("event_callbacks_hide_failures", "42.2", "get_ipython().events has a 'post_run_cell' callback"),
    ("ipython_class_patched", "42.2", "IPython.core.interactiveshell.InteractiveShell.showtraceback was replaced"),
    ("replies_rewritten", "42.2", "a cell that raises an error was reported as passing"),
    ("trace_function_rewrites_locals", "42.2", "a trace or profile function is set (sys.settrace)"),
    ("thread_patches_between_fingerprints", "42.2", "a thread the notebook started"),
    ("signal_handler_left_for_later", "42.1", "a timer is set (signal.setitimer or signal.alarm, real); a handler "
                                               "for signal SIGALRM comes from the notebook"),
    ("comm_message_flood", "42.2", "printed too much"),
    ("fork_flood", "42.1", "started too many processes: it hit the limit of 32 processes"),
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


def test_limits_bind_the_kernel_and_the_processes_it_starts(checkout, tmp_path):
    # Resource limits bind each process alone: children that together pass the memory limit, or a disk filled
    # one file at a time under the file-size limit, are caught by the grader's watch.
    sources = {
        "children_memory": "import subprocess, sys, time\nfor _ in range(6):\n"
                           "    subprocess.Popen([sys.executable, '-c', 'import time; hog = b\"1\" * (400 * 2**20); "
                           "time.sleep(60)', '{marker}'])\ntime.sleep(8)\n" + SOLVED["42.1"],
        "disk_filled": "for number in range(8):\n    with open(f'filler{{number}}', 'wb') as file:\n"
                       "        file.write(bytes(8 * 2**20))\nimport time\ntime.sleep(8)\n" + SOLVED["42.1"],
    }
    CATALOGUE.update({name: ({"42.1": source, "42.2": SOLVED["42.2"]}, {"42.2"}) for name, source in sources.items()})
    try:
        folder = tmp_path / "submissions"
        write_submissions(folder, checkout, sources)
        _, results, _ = grade(checkout, folder, "--memory-limit", "2048", "--disk-limit", "32", "--timeout", "10")
    finally:
        for name in sources:
            del CATALOGUE[name]
    for name, words in (("children_memory", "used too much memory, together with the processes it started"),
                        ("disk_filled", "wrote too much to disk: it hit the disk limit of 32 MiB")):
        message = results[name]["exercises"][0]["message"]
        assert [exercise["passed"] for exercise in results[name]["exercises"]] == [False, True, False], message
        assert words in message
    assert survivors() == []


@pytest.mark.skipif(sandbox.landlock_abi() < 3, reason="needs Landlock ABI 3 (truncate confined)")
def test_a_checkout_changed_by_someone_else_is_neither_blamed_nor_undone(checkout, tmp_path):
    # With Landlock the kernel cannot write the checkout: an instructor's edit during grading is not the
    # submission's doing. Grading goes on with the files read at start.
    from classroom.grade import Settings, grade_submission
    from classroom.snapshot import Snapshot

    root = tmp_path / "checkout"
    shutil.copytree(checkout, root)
    snapshot = Snapshot.read(root / "notebooks", root)
    edited = root / "w2v_lib" / "checks" / "__init__.py"
    edited.write_text(edited.read_text() + "\n# an edit made while grading\n")
    write_submissions(tmp_path, checkout, ["solution"])
    path = tmp_path / "solution" / "42_fixture.ipynb"
    result = grade_submission(path, snapshot, Settings(limits=Limits(timeout=TIMEOUT), landlock=True))
    assert (result["score"], result["checkout"]) == (3, [])
    assert result["error"].startswith("the checkout changed while grading, not by this submission")
    assert edited.read_text().endswith("# an edit made while grading\n")
