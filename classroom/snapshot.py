"""What grading needs from the checkout, read once, and the throwaway workspaces made from it.

The grader reads the checkout's ``w2v_lib/``, ``classroom/``, ``data/`` and the instructor notebooks into
memory once, at start-up (:meth:`Snapshot.read`). Every submission then runs in a fresh workspace written
from that copy (:meth:`Snapshot.workspace`), so a submission that rewrites files of the checkout, even while
other submissions are graded in parallel, cannot change what the others run. After each submission the
checkout is compared with the copy (:meth:`Snapshot.verify_checkout`) and restored where it differs.

A workspace::

    ws/lib/w2v_lib, ws/lib/classroom   the packages (first on PYTHONPATH; read-only for the kernel)
    ws/data/                           data/ (read-only for the kernel)
    ws/notebooks/                      the kernel's working directory, so ``../data/...`` works as in the course
    ws/home/                           HOME, IPYTHONDIR, JUPYTER_* and matplotlib's directories
    ws/tmp/                            TMPDIR

Instructor notebooks are never written into a workspace: the kernel gets their cells over the kernel
protocol, so student code cannot read the solutions from disk.
"""

import os
import shutil
import site
import tempfile
from pathlib import Path

from classroom import NOTEBOOK_GLOB, ROOT

PACKAGES = ("w2v_lib", "classroom")
# data/ may hold downloads such as text8 (100 MB) that the course notebooks do not read while graded; copying
# them into every workspace would cost memory per worker and time per submission.
DATA_FILE_LIMIT = 64 * 2**20
WRITABLE = ("notebooks", "home", "tmp")


class Snapshot:
    """The checkout files grading depends on, held in memory.

    Attributes
    ----------
    root : Path
        The checkout.
    source_dir : Path
        The instructor notebooks' directory.
    files : dict
        Path relative to ``root`` (POSIX form) → bytes, for the packages and ``data/``.
    notebooks : dict
        File name → bytes of each instructor notebook ``NN_*.ipynb`` in ``source_dir``.
    site_files : dict
        Absolute path → bytes or None (absent) of the ``.pth``, ``sitecustomize.py`` and ``usercustomize.py``
        files of this interpreter's site directories: code there runs in every later Python process.
    skipped : list of str
        ``data/`` files too large to copy into workspaces.
    """

    def __init__(self, root, source_dir, files, notebooks, site_files, skipped):
        self.root, self.source_dir = Path(root), Path(source_dir)
        self.files, self.notebooks, self.site_files, self.skipped = files, notebooks, site_files, skipped

    @classmethod
    def read(cls, source_dir, root=ROOT):
        """Read the snapshot from the checkout ``root`` and the instructor notebooks in ``source_dir``."""
        root, source_dir = Path(root).resolve(), Path(source_dir).resolve()
        files, skipped = {}, []
        for top in (*PACKAGES, "data"):
            for path in _tree(root / top):
                relative = path.relative_to(root).as_posix()
                if top == "data" and path.stat().st_size > DATA_FILE_LIMIT:
                    skipped.append(relative)
                else:
                    files[relative] = path.read_bytes()
        notebooks = {path.name: path.read_bytes() for path in sorted(source_dir.glob(NOTEBOOK_GLOB))}
        return cls(root, source_dir, files, notebooks, _site_files(), skipped)

    def workspace(self, parent=None):
        """Create a fresh workspace (see the module docstring) and return its path.

        Parameters
        ----------
        parent : str or Path, optional
            Where to create it (default: the system's temporary directory).
        """
        workspace = Path(tempfile.mkdtemp(prefix="classroom-ws-", dir=parent))
        for relative, data in self.files.items():
            top = "data" if relative.startswith("data/") else "lib"
            target = workspace / (relative if top == "data" else f"lib/{relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (workspace / "data").mkdir(exist_ok=True)
        self.reset_writable(workspace)
        return workspace

    @staticmethod
    def reset_writable(workspace):
        """Empty the directories the kernel may write (before every kernel start).

        A submission could otherwise leave an IPython start-up file, a ``matplotlibrc`` or a module in the
        working directory for the kernel that replaces one it ended.
        """
        for name in WRITABLE:
            shutil.rmtree(workspace / name, ignore_errors=True)
            (workspace / name).mkdir()

    def verify_checkout(self, restore=True):
        """Compare the checkout with the snapshot; restore what differs.

        Returns
        -------
        list of str
            What differed (``"modified: w2v_lib/checks.py"``, ``"added: classroom/evil.py"``, ...), empty when
            the checkout is as it was read.
        """
        problems = []
        expected = {self.root / relative: data for relative, data in self.files.items()}
        expected.update({self.source_dir / name: data for name, data in self.notebooks.items()})
        expected.update(self.site_files)
        for path, data in expected.items():
            path = Path(path)
            try:
                current = path.read_bytes() if path.is_file() else None
            except OSError:
                current = None
            if current == data:
                continue
            problems.append(f"{'added' if data is None else 'deleted' if current is None else 'modified'}: {path}")
            if restore:
                _restore(path, data)
        # A new module in a package, or a new file in data/, is a change too (it can be imported or read).
        watched = [self.root / top for top in (*PACKAGES, "data")]
        known = set(expected) | {self.root / relative for relative in self.skipped}
        for top in watched:
            for path in _tree(top):
                if path not in known:
                    problems.append(f"added: {path}")
                    if restore:
                        path.unlink(missing_ok=True)
        for path in self.source_dir.glob(NOTEBOOK_GLOB):
            if path.name not in self.notebooks:
                problems.append(f"added: {path}")
                if restore:
                    path.unlink(missing_ok=True)
        return problems


def _tree(top):
    """Files below ``top``, without Python's byte-code caches (written by imports, not part of the code)."""
    if not top.is_dir():
        return []
    return sorted(path for path in top.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"))


def _site_files():
    directories = set(site.getsitepackages())
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        directories.add(site.getusersitepackages())
    files = {}
    for directory in sorted(directories):
        directory = Path(directory)
        for name in ("sitecustomize.py", "usercustomize.py"):
            files[directory / name] = (directory / name).read_bytes() if (directory / name).is_file() else None
        for path in sorted(directory.glob("*.pth")) if directory.is_dir() else ():
            files[path] = path.read_bytes()
    return files


def _restore(path, data):
    if data is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.restore.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
