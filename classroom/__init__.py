"""The course's classroom tooling: student notebooks, grading, the notebook runner and the exercise self-test.

This package is not part of the teaching library ``w2v_lib``: notebooks never import it. Its modules, one per
job:

* :mod:`classroom.layout`: the exercise format of CONTRIBUTING.md (markers, cell metadata, points), checked;
* :mod:`classroom.build`: the student notebooks ``exercises/NN_*.ipynb`` built from ``notebooks/NN_*.ipynb``;
* :mod:`classroom.snapshot`: what grading needs from the checkout, read once, copied into throwaway workspaces;
* :mod:`classroom.sandbox`: the launcher that confines a grading kernel (resource limits, Landlock, its own
  session) and the clean-up of every process a submission started;
* :mod:`classroom.kernel`: one kernel, driven cell by cell, outputs collected by message id and capped;
* :mod:`classroom.integrity`: fingerprints of the check functions and numpy inside the kernel;
* :mod:`classroom.grade`: one submission graded exercise by exercise;
* :mod:`classroom.gradebook`: a class graded (folders, parallel jobs, gradebook CSV, feedback files);
* :mod:`classroom.runner`: the solution notebooks executed and stored with their outputs;
* :mod:`classroom.selftest`: every exercise's stub, solution and recorded wrong answers run against its checks;
* :mod:`classroom.__main__`: the command line ``python -m classroom build|grade|run|selftest``.
"""

from pathlib import Path

# The checkout this package lives in: its notebooks/, exercises/ and data/ are the defaults of every command.
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


def write_atomic(path, text):
    """Write ``text`` (str, UTF-8 with ``\\n`` line ends, or bytes) to ``path`` through a temporary file.

    The temporary file sits in the same directory and replaces ``path`` in one ``os.replace``, so a reader (or
    an interrupted run) sees the old file or the new one, never half of one.
    """
    import os
    import tempfile

    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        # mkstemp makes the file private (0600); give it the permissions an ordinary write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
