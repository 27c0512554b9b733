"""Progress of a long computation: a tqdm bar on a terminal or in Jupyter, a line every few percent elsewhere.

Not a lesson: used by the trainers (:mod:`w2v_lib.train`) and the text8 download (:mod:`w2v_lib.datasets`).
Off a terminal (a CI log, ``nohup``, a redirect) a bar redrawn several times a second fills the log with
updates; there, :class:`LineReporter` writes one line each time another ``every`` of the work is done.
"""

import sys
import time

from tqdm import tqdm


def progress_bar(total, unit, desc, enabled=True, every=0.05):
    """A context manager with ``update(n)`` and ``set_postfix(**values)``, the interface of a tqdm bar.

    Parameters
    ----------
    total : int
        Units of work in all.
    unit, desc : str
        What a unit is ("token", "B") and what is in progress ("training").
    enabled : bool
        False shows nothing.
    every : float
        Off a terminal, the fraction of ``total`` between two lines.
    """
    if not enabled or _interactive(sys.stderr):
        return tqdm(total=total, unit=unit, unit_scale=True, desc=desc, disable=not enabled)
    return LineReporter(total, unit, desc, every)


def _interactive(stream):
    # A Jupyter kernel's stderr is not a terminal, but it renders a tqdm bar in place.
    return stream.isatty() or type(stream).__module__.startswith("ipykernel")


class LineReporter:
    """One line on standard error each time another ``every`` of ``total`` is done, and one at the end."""

    def __init__(self, total, unit, desc, every=0.05):
        self.total, self.unit, self.desc, self.every = total, unit, desc, every
        self.done = 0
        self.postfix = {}
        self._step = max(every * total, 1)
        self._next_report = self._step
        self._start = time.perf_counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def set_postfix(self, refresh=False, **values):
        """Values shown at the end of the next line, e.g. ``loss="3.1416"``."""
        self.postfix = values

    def update(self, n):
        """Count ``n`` more units; write a line if another ``every`` of the total was crossed."""
        self.done += n
        finished = self.done >= self.total
        if self.done >= self._next_report or (finished and self._next_report != float("inf")):
            while self._next_report <= self.done:
                self._next_report += self._step
            if finished:
                self._next_report = float("inf")  # the 100% line is written once
            self._write()

    def _write(self):
        seconds = time.perf_counter() - self._start
        rate = self.done / seconds if seconds > 0 else 0.0
        values = "".join(f", {name} {value}" for name, value in self.postfix.items())
        print(f"{self.desc}: {100 * self.done / max(self.total, 1):3.0f}% ({self.done:,} of {self.total:,} "
              f"{self.unit}s, {seconds:.0f} s, {rate:,.0f} {self.unit}s/s{values})", file=sys.stderr, flush=True)
