"""The command line: ``python -m classroom build|grade|run|selftest ...``.

``python -m w2v_lib exercises ...`` forwards here with the same arguments.

Exit codes:

* 0: success (``grade``: every submission was graded, however badly it did);
* 1: ``build --check`` found stale, missing or extra files; a solution notebook breaks the exercise format; a
  submission could not be graded for a reason on the grader's side (no such file, no matching instructor
  notebook, the kernel did not start, a non-exercise cell of the instructor's notebook failed, two
  submissions of one student for the same notebook); ``selftest`` found an exercise breaking a rule;
* 2: a command-line usage error;
* 3: ``grade --fail-under P``: a submission scored below P percent of its maximum.
"""

import argparse
import sys
from pathlib import Path

from classroom import ROOT

FAIL_UNDER = 3


def main(argv=None, prog="python -m classroom"):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _parser(prog)
    args = parser.parse_args(sys.argv[1:] if argv is None else [str(arg) for arg in argv])
    if getattr(args, "source", None) is not None and not args.source.is_dir():
        parser.error(f"--source {args.source} is not a directory")
    return args.run(args, parser)


def _parser(prog):
    parser = argparse.ArgumentParser(
        prog=prog, description="The course's classroom tools: build the student notebooks, grade submissions, "
                               "run the solution notebooks, self-test the exercises.")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser(
        "build", help="write exercises/NN_*.ipynb from notebooks/NN_*.ipynb",
        description="Write the student notebooks: solutions replaced by stubs raising NotImplementedError, "
                    "derivations by a prompt, hidden tests and recorded wrong answers removed, outputs cleared. "
                    "Rebuilding gives byte-identical files.")
    build.add_argument("--source", type=Path, default=ROOT / "notebooks", metavar="DIR",
                       help="solution notebooks (default: %(default)s)")
    build.add_argument("--output", type=Path, default=ROOT / "exercises", metavar="DIR",
                       help="where the student notebooks go (default: %(default)s)")
    build.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 and list the files if the output is not up to date")
    build.set_defaults(run=_build)

    grade = commands.add_parser(
        "grade", help="grade submitted student notebooks with the instructor's checks",
        description="Grade submissions: each one's solution cells run inside the instructor's notebook (its own "
                    "lesson and check cells, hidden tests included) in a sandboxed kernel and a throwaway "
                    "workspace. Writes a gradebook CSV and a feedback file per submission. See "
                    "notebooks/INSTRUCTORS.md for what is confined and how to grade in a container.")
    grade.add_argument("submissions", nargs="+", type=Path, metavar="PATH",
                       help="submitted notebooks, or folders of them (GitHub Classroom or LMS-export layout)")
    grade.add_argument("--source", type=Path, default=ROOT / "notebooks", metavar="DIR",
                       help="instructor notebooks to grade against (default: %(default)s)")
    grade.add_argument("--output", type=Path, default=Path("grades"), metavar="DIR",
                       help="where gradebook.csv and feedback/ go (default: %(default)s, git-ignored)")
    grade.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="submissions graded at once, each in its own worker process (default: %(default)s)")
    grade.add_argument("--json", action="store_true", help="print one JSON object per submission, one per line")
    grade.add_argument("--fail-under", type=float, default=None, metavar="PERCENT",
                       help=f"exit with code {FAIL_UNDER} if a submission scores below PERCENT of its maximum")
    grade.add_argument("--timeout", type=float, default=60, metavar="SECONDS",
                       help="seconds each cell may run (default: %(default)s)")
    grade.add_argument("--total-timeout", type=float, default=900, metavar="SECONDS",
                       help="seconds a whole submission may run (default: %(default)s)")
    grade.add_argument("--cpu-limit", type=int, default=1800, metavar="SECONDS",
                       help="CPU seconds a kernel may use (default: %(default)s)")
    grade.add_argument("--memory-limit", type=int, default=4096, metavar="MIB",
                       help="address space of a kernel, and memory of a kernel and the processes it started "
                            "together, in MiB (default: %(default)s)")
    grade.add_argument("--file-size-limit", type=int, default=256, metavar="MIB",
                       help="largest file a kernel may write, in MiB (default: %(default)s)")
    grade.add_argument("--disk-limit", type=int, default=2048, metavar="MIB",
                       help="files a kernel may have in its workspace, in MiB (default: %(default)s)")
    grade.add_argument("--output-limit", type=float, default=2, metavar="MIB",
                       help="output collected from one cell, in MiB; a submission gets 8 times as much "
                            "(default: %(default)s)")
    grade.add_argument("--allow-read", type=Path, action="append", default=[], metavar="DIR",
                       help="a directory kernels may read besides the Python installation and the workspace "
                            "(Landlock only; repeatable)")
    grade.add_argument("--no-landlock", action="store_true",
                       help="do not confine files and network with Landlock even where it is available")
    grade.set_defaults(run=_grade)

    run = commands.add_parser(
        "run", help="execute solution notebooks and store them with their outputs",
        description="Execute notebooks top to bottom in a fresh kernel and store them with their outputs "
                    "(execution counts 1..N, volatile metadata dropped), so re-running gives identical files.")
    run.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: notebooks/NN_*.ipynb)")
    run.set_defaults(run=_run)

    selftest = commands.add_parser(
        "selftest", help="run every exercise's stub, solution and recorded wrong answers against its checks",
        description="For every exercise: the stub must fail with 'not done yet', the solution pass, each "
                    "recorded wrong answer fail naming its mistake, and no message show an expected value.")
    selftest.add_argument("notebooks", nargs="*", type=Path,
                          help="solution notebooks (default: notebooks/NN_*.ipynb)")
    selftest.add_argument("--timeout", type=float, default=120, metavar="SECONDS",
                          help="seconds each cell may run (default: %(default)s)")
    selftest.add_argument("--lenient", action="store_true",
                          help="report missing wrong answers and the expected-value rule without failing on them "
                               "(for notebooks not yet in the new exercise format)")
    selftest.set_defaults(run=_selftest)
    return parser


def _build(args, parser):
    from classroom.build import build
    from classroom.layout import ExerciseFormatError

    try:
        return build(args.source, args.output, check=args.check)
    except ExerciseFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _grade(args, parser):
    from classroom import gradebook, sandbox
    from classroom.grade import Settings
    from classroom.kernel import Limits
    from classroom.snapshot import Snapshot

    for flag, value in (("--timeout", args.timeout), ("--total-timeout", args.total_timeout),
                        ("--jobs", args.jobs), ("--cpu-limit", args.cpu_limit),
                        ("--memory-limit", args.memory_limit), ("--file-size-limit", args.file_size_limit),
                        ("--disk-limit", args.disk_limit),
                        ("--output-limit", args.output_limit)):
        if value <= 0:
            parser.error(f"{flag} must be positive, got {value:g}")
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        parser.error(f"--fail-under is a percentage from 0 to 100, got {args.fail_under:g}")
    for directory in args.allow_read:
        if not directory.is_dir():
            parser.error(f"--allow-read {directory} is not a directory")
    snapshot = Snapshot.read(args.source)
    if not snapshot.notebooks:
        print(f"error: no instructor notebooks NN_*.ipynb in --source {args.source}", file=sys.stderr)
        return 1
    submissions, problems = gradebook.discover(args.submissions, snapshot.notebooks)
    landlock = not args.no_landlock and sandbox.landlock_abi() > 0
    warning = sandbox.confinement_warning(sandbox.landlock_abi() if landlock else 0)
    if warning:
        print(warning, file=sys.stderr)
    for skipped in snapshot.skipped:
        print(f"note: {skipped} is larger than 64 MiB and is not copied into grading workspaces", file=sys.stderr)
    output_limit = int(args.output_limit * 2**20)
    settings = Settings(
        limits=Limits(timeout=args.timeout, cpu=args.cpu_limit, memory=args.memory_limit * 2**20,
                      file_size=args.file_size_limit * 2**20, disk=args.disk_limit * 2**20,
                      cell_output=output_limit, kernel_output=8 * output_limit,
                      # Never below 16 MiB: the grader's own fingerprints travel in one message (about 2 MB).
                      message=max(4 * output_limit, 16 * 2**20)),
        total_timeout=args.total_timeout, landlock=landlock,
        read_roots=sandbox.default_read_roots() + [str(path.resolve()) for path in args.allow_read])

    def report(result):
        print(f"graded {result['notebook']} ({result.get('student', '')}): "
              f"{gradebook._number(result['score'])}/{gradebook._number(result['max_score'])}"
              + (f" in {result['seconds']} s" if "seconds" in result else ""), file=sys.stderr)

    print(f"grading {len(submissions)} submission(s) with {args.jobs} job(s) ...", file=sys.stderr)
    results = gradebook.grade_all(submissions, snapshot, settings, jobs=args.jobs, progress=report)
    for result in results:
        if args.json:
            print(gradebook.json_line(result), flush=True)
        else:
            _print_table(result)
    exit_code = 0
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
        exit_code = 1
    if any(not result["graded"] for result in results):
        exit_code = 1
    for result in results:
        if result["checkout"]:
            print(f"warning: {result['notebook']} changed the checkout (restored, scored 0): "
                  + "; ".join(result["checkout"][:5]), file=sys.stderr)
    written = gradebook.write_reports(results, args.output)
    print(f"wrote {written[0]} and {len(written) - 1} feedback file(s) in {args.output / 'feedback'}",
          file=sys.stderr)
    if exit_code == 0 and args.fail_under is not None:
        below = [result for result in results
                 if result["max_score"] and 100 * result["score"] / result["max_score"] < args.fail_under]
        if below:
            print(f"{len(below)} submission(s) scored below {args.fail_under:g}%", file=sys.stderr)
            exit_code = FAIL_UNDER
    return exit_code


def _print_table(result):
    from classroom.gradebook import _number

    print(f"{result['notebook']}: {_number(result['score'])}/{_number(result['max_score'])}")
    if result["error"]:
        print(f"  note: {result['error']}")
    for exercise in result["exercises"]:
        verdict = "passed" if exercise["passed"] else "FAILED"
        print(f"  {exercise['id']:<6} {verdict:<7} {exercise['message']}")


def _run(args, parser):
    from classroom.runner import run

    for path in args.notebooks:
        if not path.is_file():
            parser.error(f"no such notebook: {path}")
    return run(args.notebooks)


def _selftest(args, parser):
    from classroom import NOTEBOOK_GLOB
    from classroom.selftest import selftest_notebook

    paths = args.notebooks or sorted((ROOT / "notebooks").glob(NOTEBOOK_GLOB))
    failures = 0
    for path in paths:
        if not path.is_file():
            parser.error(f"no such notebook: {path}")
        report = selftest_notebook(path, timeout=args.timeout, strict=not args.lenient)
        print(report.summary())
        failures += len(report.failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
