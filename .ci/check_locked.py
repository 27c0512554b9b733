"""Fail unless every package installed in this environment is pinned in the lock file, at the pinned version.

    python .ci/check_locked.py requirements.txt

Run right after `pip install -r requirements.txt` in a fresh venv: it proves that the install took nothing from
outside the lock (what `pip freeze` shows is exactly a subset of the lock), so that the notebooks' stored outputs
are checked against the versions that made them. pip, setuptools and wheel (which come with the venv, as
`pip freeze` leaves them out too) and the course's own editable package are not compared.
"""

import json
import re
import sys
from importlib import metadata
from pathlib import Path

NOT_LOCKED = {"pip", "setuptools", "wheel"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def canonical(name):
    """The PEP 503 form of a distribution name, as the lock file and pip freeze may spell it differently."""
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv):
    if len(argv) != 1:
        print("usage: python .ci/check_locked.py LOCKFILE", file=sys.stderr)
        return 2
    lock_path = Path(argv[0])
    pinned = {}
    for line in lock_path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pinned.setdefault(canonical(match.group(1)), set()).add(match.group(2))
    if not pinned:
        print(f"{lock_path}: no `name==version` pins found: is this the lock file?", file=sys.stderr)
        return 2
    problems = []
    installed = 0
    for dist in metadata.distributions():
        name = canonical(dist.metadata["Name"])
        if name in NOT_LOCKED or _is_editable(dist):
            continue
        installed += 1
        if name not in pinned:
            problems.append(f"{name}=={dist.version} is installed but not in {lock_path}")
        elif dist.version not in pinned[name]:
            problems.append(f"{name}=={dist.version} is installed but {lock_path} pins "
                            f"{' or '.join(sorted(pinned[name]))}")
    for problem in sorted(problems):
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} installed package(s) disagree with {lock_path}: refresh the lock (see the "
              "README's Set up section) or reinstall in a fresh venv.", file=sys.stderr)
        return 1
    print(f"{installed} installed packages, all at the versions {lock_path} pins.")
    return 0


def _is_editable(dist):
    # PEP 610: an editable install records {"dir_info": {"editable": true}} in direct_url.json.
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    return bool(direct_url.get("dir_info", {}).get("editable"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
