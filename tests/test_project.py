"""The project's own files agree with one another: CI and its workflow, the version, the licences, the lock file.

Each fact that several files state (the supported Pythons, the version, the pinned versions) has one test that
reads every file stating it, so that changing one file and forgetting another fails here with both named.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import w2v_lib

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", re.MULTILINE)
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name):
    """PEP 503 name normalization: the lock file and pyproject.toml may spell a name differently."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    """``{name: {versions}}`` of the ``name==version`` lines of a requirements file (a name may be pinned twice,
    to different versions under different environment markers)."""
    found = {}
    for name, version in PIN.findall(path.read_text(encoding="utf-8")):
        found.setdefault(canonical(name), set()).add(version)
    return found


def run_check_jsonschema(schema, path):
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is in the test extra: pip install -r "
                                                   "requirements.txt")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{path.name} does not match {schema}:\n{result.stdout}{result.stderr}"


# --- the forge workflow ---------------------------------------------------------------------------------------

def run_actionlint(workflow):
    # The venv's scripts folder first: a venv used without activating it (as .ci/check-python does) is not on PATH.
    executable = shutil.which("actionlint", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                                  os.environ.get("PATH", "")]))
    assert executable, "actionlint is not installed: pip install -r requirements.txt (the test extra has it)"
    return subprocess.run([executable, "-no-color", str(workflow)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


def test_workflow_passes_actionlint():
    result = run_actionlint(WORKFLOW)
    assert result.returncode == 0, f"actionlint found problems in {WORKFLOW.name}:\n{result.stdout}{result.stderr}"


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    # The linter really reads the file: an undefined matrix key and a job without runs-on must be reported.
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  check:\n    steps:\n      - run: echo ${{ matrix.nope }}\n")
    result = run_actionlint(broken)
    assert result.returncode != 0 and "runs-on" in result.stdout


def test_workflow_matches_the_github_schema():
    run_check_jsonschema("vendor.github-workflows", WORKFLOW)


def test_every_workflow_job_has_a_timeout():
    # Else a hung notebook kernel holds a runner for GitHub's default of six hours.
    yaml = pytest.importorskip("yaml")
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    assert all("timeout-minutes" in job for job in jobs.values()), "give every job a timeout-minutes"


def test_workflow_runs_the_same_script_as_ci():
    workflow = WORKFLOW.read_text(encoding="utf-8")
    assert "bash .ci/check-python python" in workflow
    assert "bash .ci/check-python" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_supported_pythons_agree_everywhere():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    matrix = workflow["jobs"]["check"]["strategy"]["matrix"]
    in_workflow = list(matrix["python-version"])
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    in_ci_run = re.search(r"^SUPPORTED_PYTHONS=\(([^)]*)\)", ci_run, re.MULTILINE).group(1).split()
    in_classifiers = [c.rsplit(" :: ", 1)[1] for c in PYPROJECT["project"]["classifiers"]
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert in_workflow == in_ci_run == in_classifiers, (
        f"supported Pythons differ: workflow matrix {in_workflow}, .ci/run {in_ci_run}, "
        f"pyproject.toml classifiers {in_classifiers}")
    assert PYPROJECT["project"]["requires-python"] == f">={in_classifiers[0]}"
    assert [entry["python-version"] for entry in matrix["include"]] == in_workflow, \
        "every Python of the matrix needs an include entry saying which checks it runs"


# --- version, licences, citation ------------------------------------------------------------------------------

def newest_release():
    """(version, date) of the newest released section of CHANGELOG.md (``## [X.Y.Z] - YYYY-MM-DD``)."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert match, "CHANGELOG.md has no released section '## [X.Y.Z] - YYYY-MM-DD'"
    return match.group(1), match.group(2)


def test_one_version_in_package_changelog_and_citation():
    version, date = newest_release()
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "w2v_lib.__version__"}
    assert w2v_lib.__version__ == version, (
        f"w2v_lib.__version__ is {w2v_lib.__version__} but CHANGELOG.md's newest release is {version}: release "
        "both together (move the Unreleased entries under a new version heading)")
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf'^version: "{re.escape(version)}"$', citation, re.MULTILINE), \
        f"CITATION.cff's version is not {version}, CHANGELOG.md's newest release"
    assert re.search(rf'^date-released: "{date}"$', citation, re.MULTILINE), \
        f"CITATION.cff's date-released is not {date}, the date of {version} in CHANGELOG.md"


def test_citation_file_is_valid_cff_1_2_0():
    run_check_jsonschema("vendor.citation-file-format", ROOT / "CITATION.cff")


def test_licences_are_declared_and_named_in_the_readme():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), f"pyproject.toml's license-files names {name}, which does not exist"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("LICENSE", "LICENSE-CONTENT.md", "CITATION.cff", "CHANGELOG.md"):
        assert f"]({name})" in readme, f"the README does not link {name}"


# --- packaging and the lock file ------------------------------------------------------------------------------

def test_every_package_directory_is_listed():
    # An editable install finds subpackages anyway; a wheel (pip install .) holds only the listed ones.
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = set()
    for top in {name.split(".")[0] for name in listed}:
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"


def test_lock_file_pins_every_dependency():
    locked = pins(ROOT / "requirements.txt")
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    names = {canonical(REQUIREMENT_NAME.match(requirement).group(1)) for requirement in requirements}
    missing = sorted(names - set(locked))
    assert not missing, (f"pyproject.toml requires {missing}, which requirements.txt does not pin: refresh the "
                         "lock with the command at the top of requirements.in")


def test_lock_file_keeps_the_versions_requirements_in_pins():
    wanted = pins(ROOT / "requirements.in")
    locked = pins(ROOT / "requirements.txt")
    assert wanted, "requirements.in pins nothing"
    differ = {name: (versions, locked.get(name)) for name, versions in wanted.items()
              if locked.get(name) != versions}
    assert not differ, (f"requirements.txt differs from requirements.in's pins (name: (wanted, locked)): {differ}; "
                        "refresh the lock with the command at the top of requirements.in")
    assert re.search(r"^-e \.$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.MULTILINE), \
        "requirements.txt must install the course library itself, editable (-e .)"
