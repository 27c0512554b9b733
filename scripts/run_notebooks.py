"""Execute the course notebooks and store them with their outputs (a forward to ``python -m classroom run``).

    python scripts/run_notebooks.py                  # every notebook in notebooks/
    python scripts/run_notebooks.py notebooks/03_*.ipynb
"""

import sys
from pathlib import Path

# Run as a script, its own folder is first on sys.path: the checkout's root holds the classroom package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]], prog="python scripts/run_notebooks.py"))
