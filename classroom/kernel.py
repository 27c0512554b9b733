"""One sandboxed kernel, driven one cell at a time, for grading and for the self-test.

Why not nbclient's ``execute_cell``: grading must attribute every output to the cell that produced it, and
keep going after the cell misbehaves. Here each execution's outputs are collected strictly by its own
``msg_id``; a cell is judged on its ``execute_reply`` status *and* its outputs; output is capped (per cell,
per kernel, and per message on the sockets themselves, so a 400 MB print never reaches the grader's memory);
a cell that overruns is interrupted, and a kernel that does not come back within a grace period, that dies,
or that ends itself with ``exit()`` is reported as such so the caller can restart it. While a cell runs, the
kernel and every process it started are watched together (processes, resident memory, files in the
workspace), because resource limits bind each process alone.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

from classroom import sandbox

# Seconds an interrupted cell has to report back before its kernel is replaced, and that an idle status may
# lag behind its reply (under heavy output the publisher may drop it; the reply is never dropped).
INTERRUPT_GRACE = 5.0
IDLE_GRACE = 2.0
STARTUP_TIMEOUT = 60.0


@dataclass
class Limits:
    """What one kernel may use.

    Attributes
    ----------
    timeout : float
        Seconds of wall time one cell may run.
    cpu : int
        CPU seconds of the whole kernel process (RLIMIT_CPU); the kernel is killed when they run out.
    memory : int
        Bytes of address space of the kernel (RLIMIT_AS; allocations beyond it raise MemoryError), and of
        resident memory of the kernel and every process it started together (checked twice a second; beyond
        it they are all killed).
    file_size : int
        Bytes: the largest file the kernel may write (RLIMIT_FSIZE).
    disk : int
        Bytes of files in the kernel's workspace (checked every two seconds; beyond it the kernel is killed).
    processes : int
        Processes the kernel may have running at once, itself included (checked twice a second).
    cell_output : int
        Bytes of output collected from one cell; beyond it the cell fails and is interrupted.
    kernel_output : int
        Bytes of output collected from one kernel (a submission may restart it: each gets this much).
    message : int
        Bytes of one message on the sockets (ZMQ_MAXMSGSIZE): a larger one disconnects the kernel unread.
    """

    timeout: float = 60.0
    cpu: int = 1800
    memory: int = 4 * 2**30
    file_size: int = 256 * 2**20
    disk: int = 2 * 2**30
    processes: int = 32
    cell_output: int = 2 * 2**20
    kernel_output: int = 16 * 2**20
    message: int = 8 * 2**20

    def describe(self, which):
        """A phrase naming a limit, for messages: ``"the output limit of 2 MiB per cell"``."""
        return {
            "timeout": f"the time limit of {self.timeout:g} s per cell",
            "cpu": f"the CPU time limit of {self.cpu} s",
            "memory": f"the memory limit of {_size(self.memory)}",
            "disk": f"the disk limit of {_size(self.disk)}",
            "processes": f"the limit of {self.processes} processes",
            "cell_output": f"the output limit of {_size(self.cell_output)} per cell",
            "kernel_output": f"the output limit of {_size(self.kernel_output)} per submission",
            "message": f"the output limit of {_size(self.message)} per message",
        }[which]


@dataclass
class Execution:
    """What running one cell gave.

    Attributes
    ----------
    status : str or None
        The ``execute_reply`` status (``"ok"``, ``"error"``, ``"aborted"``), None if no reply came.
    outputs : list of dict
        nbformat outputs (streams merged), as far as the output limit allowed.
    error : dict or None
        ``{"ename", "evalue"}`` of the cell's error output, or of its reply when it had none.
    problem : str or None
        None, or ``"timeout"``, ``"cell_output"``, ``"kernel_output"``, ``"message"``, ``"memory"``, ``"disk"``,
        ``"processes"`` (a limit hit), ``"dead"`` (the kernel died while running it).
    kernel_lost : bool
        The kernel is unusable (dead, or did not come back after an interrupt): restart it.
    user_expressions : dict
        The reply's user expressions.
    payload : list
        The reply's payloads (``exit()`` leaves one whose source is ``"ask_exit"``).
    timeout : float
        The seconds it was given.
    seconds : float
    """

    status: str = None
    outputs: list = field(default_factory=list)
    error: dict = None
    problem: str = None
    kernel_lost: bool = False
    user_expressions: dict = field(default_factory=dict)
    payload: list = field(default_factory=list)
    timeout: float = 0.0
    seconds: float = 0.0

    @property
    def passed(self):
        """Ran to the end without error: reply status ok, no error output, no limit hit."""
        return self.problem is None and self.status == "ok" and self.error is None

    def stdout(self):
        return "".join(output["text"] for output in self.outputs
                       if output["output_type"] == "stream" and output["name"] == "stdout")


class KernelStartError(RuntimeError):
    """The kernel did not start (a problem on the grader's side, not the submission's)."""


class _CappedClient(BlockingKernelClient):
    """A kernel client whose sockets refuse oversized messages and report disconnections."""

    max_message = 8 * 2**20

    def _create_connected_socket(self, channel, identity=None):
        from jupyter_client.connect import channel_socket_types

        sock = self.context.socket(channel_socket_types[channel])
        # Set before connect: ZMQ applies it to the connection. A peer sending more is disconnected unread.
        sock.setsockopt(zmq.MAXMSGSIZE, self.max_message)
        sock.linger = 1000
        if identity:
            sock.identity = identity
        if self.curve_publickey is not None:
            sock.curve_secretkey = self.curve_secretkey
            sock.curve_publickey = self.curve_publickey
            sock.curve_serverkey = self.curve_publickey
        if channel in ("shell", "iopub"):
            monitors = self.__dict__.setdefault("_classroom_monitors", [])
            monitors.append(sock.get_monitor_socket(zmq.EVENT_DISCONNECTED))
        sock.connect(self._make_url(channel))
        return sock


class _SandboxedKernelManager(KernelManager):
    """Starts ``python -m ipykernel_launcher`` through ``python -m classroom.sandbox``."""

    sandbox_arguments = []

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, "-m", "classroom.sandbox", *self.sandbox_arguments, "--", *command]


class Kernel:
    """A kernel started in a workspace (see :mod:`classroom.snapshot`), confined by :mod:`classroom.sandbox`.

    Parameters
    ----------
    workspace : Path
    limits : Limits
    landlock : bool
        Confine files and network with Landlock (Linux; see :func:`classroom.sandbox.landlock_abi`).
    read_roots : list of str, optional
        Directories the kernel may read besides its workspace (default:
        :func:`classroom.sandbox.default_read_roots`).
    """

    def __init__(self, workspace, limits, landlock, read_roots=None):
        self.workspace, self.limits, self.landlock = Path(workspace), limits, landlock
        self.read_roots = sandbox.default_read_roots() if read_roots is None else list(read_roots)
        self.manager = self.client = None
        self.output_used = 0
        self.disk_checked = 0.0
        self.log_path = self.workspace / "kernel.log"

    def environment(self):
        """The kernel's environment: nothing of the grader's but PATH, locale and thread settings."""
        home = self.workspace / "home"
        env = {key: value for key, value in os.environ.items()
               if key in ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT")
               or key.endswith("_NUM_THREADS") or key.startswith("OPENBLAS_")}
        # One BLAS thread unless told otherwise: grading needs no more, parallel jobs would oversubscribe the
        # cores, and OpenBLAS reserves address space per thread (against the memory limit) on many-core machines.
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(variable, "1")
        env.update(
            HOME=str(home), USERPROFILE=str(home), TMPDIR=str(self.workspace / "tmp"),
            IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / ".matplotlib"), MPLBACKEND="agg",
            JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / ".jupyter-data"),
            JUPYTER_RUNTIME_DIR=str(home / ".jupyter-runtime"), JUPYTER_PLATFORM_DIRS="1",
            XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
            # The workspace's packages first; PYTHONSAFEPATH keeps `python -m` from putting the working
            # directory (writable by the student) before them, where a planted ipykernel_launcher.py would run.
            PYTHONPATH=str(self.workspace / "lib"), PYTHONSAFEPATH="1", PYTHONNOUSERSITE="1",
            PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        return env

    def start(self):
        """Start a fresh kernel (emptying the writable directories first) and wait until it answers.

        Raises
        ------
        KernelStartError
        """
        from classroom.snapshot import Snapshot

        Snapshot.reset_writable(self.workspace)
        env = self.environment()
        runtime = Path(env["JUPYTER_RUNTIME_DIR"])
        runtime.mkdir(parents=True, exist_ok=True)
        writable = [str(self.workspace / name) for name in ("notebooks", "home", "tmp")]
        arguments = [f"--write={path}" for path in writable]
        arguments += [f"--read={path}" for path in [*self.read_roots, str(self.workspace)]]
        arguments += [f"--cpu={self.limits.cpu}", f"--memory={self.limits.memory}",
                      f"--file-size={self.limits.file_size}"]
        if self.landlock:
            arguments.append("--landlock")
        manager = _SandboxedKernelManager(kernel_name="python3",
                                          connection_file=str(runtime / f"kernel-{os.getpid()}.json"))
        manager.sandbox_arguments = arguments
        manager.client_factory = _CappedClient
        self.output_used = 0
        log = open(self.log_path, "wb")
        try:
            manager.start_kernel(env=env, cwd=str(self.workspace / "notebooks"), stdout=log, stderr=log,
                                 stdin=subprocess.DEVNULL)
        except Exception as error:
            raise KernelStartError(f"the kernel did not start: {type(error).__name__}: {error}") from None
        finally:
            log.close()
        self.manager = manager
        client = manager.client()
        client.max_message = self.limits.message
        client.start_channels()
        self.client = client
        try:
            client.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except RuntimeError as error:
            tail = self.log_path.read_bytes()[-1500:].decode("utf-8", "replace").strip()
            self.shutdown()
            raise KernelStartError(f"the kernel did not start: {error}" + (f"\n{tail}" if tail else "")) from None
        # Replies and statuses of the start-up handshake are not any cell's.
        self._drain()

    def alive(self):
        return self.manager is not None and self.manager.is_alive()

    def death_reason(self):
        """Why the kernel process ended, in words, from its exit status."""
        process = getattr(self.manager.provisioner, "process", None) if self.manager else None
        code = process.poll() if process is not None else None
        if code is None:
            return "the kernel stopped answering"
        if code == -signal.SIGXCPU:
            return f"the kernel was stopped: it used up {self.limits.describe('cpu')}"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return f"the kernel was killed by signal {name} (a crash, or the system ran out of memory)"
        return (f"the kernel exited with status {code} (exit(), quit(), os._exit() or sys.exit() in code the "
                "kernel ran)")

    def run(self, code, timeout=None, silent=False, user_expressions=None):
        """Run ``code`` and collect what it gave; see :class:`Execution`.

        Parameters
        ----------
        code : str
        timeout : float, optional
            Seconds (default ``limits.timeout``).
        silent : bool
            The grader's own probes: no history, no execution count, outputs not shown to anyone.
        user_expressions : dict, optional
        """
        timeout = self.limits.timeout if timeout is None else timeout
        started = time.monotonic()
        result = Execution(timeout=timeout)
        msg_id = self.client.execute(code, silent=silent, store_history=not silent, allow_stdin=False,
                                     user_expressions=user_expressions or {}, stop_on_error=False)
        reply_time = reply_error = None
        idle = False
        deadline = started + timeout
        cell_output = 0
        last_alive_check = started
        while not (reply_time is not None and idle):
            now = time.monotonic()
            if reply_time is not None and now - reply_time > IDLE_GRACE:
                break  # the idle status was dropped under heavy output; the reply is authoritative
            if now > deadline and reply_time is None:
                result.problem = "timeout"
                break
            if self._disconnected():
                # A dying kernel drops its connections too: only a live one was cut off for an oversized message.
                dead = self.wait_for_death(0.5)
                result.problem, result.kernel_lost = ("dead" if dead else "message"), True
                break
            if now - last_alive_check > 0.5:
                last_alive_check = now
                if not self.alive():
                    result.problem, result.kernel_lost = "dead", True
                    break
                result.problem = self._over_limits(now)
                if result.problem is not None:
                    sandbox.kill_descendants()  # the kernel and all it started: stop the damage now
                    result.kernel_lost = True
                    break
            for channel, message in self._receive(min(0.1, max(deadline - now, 0.01))):
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue  # an earlier, interrupted cell's late output, or a probe's: never this cell's
                kind, content = message["msg_type"], message["content"]
                if channel == "shell" and kind == "execute_reply":
                    reply_time = time.monotonic()
                    result.status = content.get("status")
                    result.user_expressions = content.get("user_expressions", {})
                    result.payload = content.get("payload", [])
                    if result.status == "error":
                        reply_error = {"ename": str(content.get("ename", "Error")),
                                       "evalue": str(content.get("evalue", ""))}
                elif kind == "status":
                    idle = idle or content.get("execution_state") == "idle"
                elif channel == "iopub" and kind != "execute_input" and result.problem is None:
                    # Every message the cell publishes counts (comm messages and display updates too).
                    size = len(json.dumps(content))
                    cell_output += size
                    self.output_used += size
                    if cell_output > self.limits.cell_output:
                        result.problem = "cell_output"
                    elif self.output_used > self.limits.kernel_output:
                        result.problem = "kernel_output"
                    elif kind in ("stream", "error", "execute_result", "display_data"):
                        _append_output(result, kind, content)
            if result.problem is not None:
                break
        # An error reply without an error output (a kernel patched to hide tracebacks) is still an error.
        result.error = next(({"ename": output["ename"], "evalue": output["evalue"]} for output in result.outputs
                             if output["output_type"] == "error"), reply_error)
        if result.problem in ("timeout", "cell_output", "kernel_output") and reply_time is None:
            result.kernel_lost = not self._interrupt(msg_id)
        elif result.problem == "message":
            result.kernel_lost = True  # a dropped connection may have lost this cell's reply or later ones
        result.seconds = time.monotonic() - started
        return result

    @property
    def pid(self):
        process = getattr(self.manager.provisioner, "process", None) if self.manager else None
        return getattr(process, "pid", None)

    def _over_limits(self, now):
        """The limit that the kernel and the processes it started are over, or None.

        Resource limits bind each process alone: a kernel could start processes that together use many times
        the memory limit, a fork flood, or fill the disk one file at a time.
        """
        pids = sandbox.descendants()
        if len(pids) > self.limits.processes:
            return "processes"
        if sandbox.resident_memory(pids) > self.limits.memory:
            return "memory"
        if now - self.disk_checked > 2.0:
            self.disk_checked = now
            if _disk_usage(self.workspace, self.limits.disk) > self.limits.disk:
                return "disk"
        return None

    def ping(self, timeout=10.0):
        """True if the kernel answers an empty execution: after ``exit()`` it replies, then dies."""
        if not self.alive():
            return False
        probe = self.run("", timeout=timeout, silent=True)
        return probe.status == "ok" and self.alive()

    def wait_for_death(self, seconds):
        """Wait up to ``seconds`` for the kernel process to end (after ``exit()``); True if it did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                return True
            time.sleep(0.05)
        return False

    def _interrupt(self, msg_id):
        """Interrupt the kernel's process group; True if the cell then replied within the grace period."""
        try:
            self.manager.interrupt_kernel()
        except Exception:
            return False
        deadline = time.monotonic() + INTERRUPT_GRACE
        while time.monotonic() < deadline:
            if self._disconnected() or not self.alive():
                return False
            for channel, message in self._receive(0.1):
                if (channel == "shell" and message["msg_type"] == "execute_reply"
                        and message.get("parent_header", {}).get("msg_id") == msg_id):
                    self._drain(0.3)
                    return True
        return False

    def _receive(self, timeout):
        """Yield (channel, message) for the messages ready on shell and iopub within ``timeout`` seconds.

        A generator, so that a flood of output is read and dropped one message at a time, never held.
        """
        poller = zmq.Poller()
        channels = {"shell": self.client.shell_channel, "iopub": self.client.iopub_channel}
        for channel in channels.values():
            poller.register(channel.socket, zmq.POLLIN)
        ready = dict(poller.poll(int(timeout * 1000)))
        count = 0
        for name, channel in channels.items():
            while channel.socket in ready and channel.msg_ready() and count < 200:
                count += 1  # then back to the caller, which checks its deadline and limits
                yield name, channel.get_msg(timeout=0)

    def _drain(self, seconds=0.2):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not any(True for _ in self._receive(0.05)):
                break

    def _disconnected(self):
        for monitor in self.client.__dict__.get("_classroom_monitors", []):
            if monitor.poll(0):
                monitor.recv_multipart()
                return True
        return False

    def shutdown(self):
        """Kill the kernel and its process group now and close the channels (nothing of it is kept)."""
        if self.client is not None:
            for monitor in self.client.__dict__.get("_classroom_monitors", []):
                monitor.close(linger=0)
            self.client.stop_channels()
        if self.manager is not None:
            try:
                self.manager.shutdown_kernel(now=True)
            except Exception:
                pass
            process = getattr(self.manager.provisioner, "process", None) if self.manager.provisioner else None
            if process is not None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    pass
            self.manager.cleanup_resources()
        self.manager = self.client = None


def _append_output(result, kind, content):
    if kind == "stream":
        previous = result.outputs[-1] if result.outputs else None
        if previous is not None and previous["output_type"] == "stream" and previous["name"] == content["name"]:
            previous["text"] += content["text"]
        else:
            result.outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
    elif kind == "error":
        result.outputs.append({"output_type": "error", "ename": str(content.get("ename", "Error")),
                               "evalue": str(content.get("evalue", "")), "traceback": content.get("traceback", [])})
    else:
        result.outputs.append({"output_type": kind, "data": content.get("data", {}),
                               "metadata": content.get("metadata", {})})


def _disk_usage(workspace, limit):
    """Bytes that the files the kernel may write take, counted until ``limit`` is passed.

    An entry counts at least 4 KiB, so that a million empty files count too.
    """
    used, pending = 0, [workspace / name for name in ("notebooks", "home", "tmp")]
    with contextlib.suppress(OSError):
        used += (workspace / "kernel.log").stat().st_size  # the kernel's own stdout and stderr
    while pending and used <= limit:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue  # removed meanwhile, or not a directory
        for entry in entries:
            with contextlib.suppress(OSError):
                used += max(entry.stat(follow_symlinks=False).st_blocks * 512, 4096)
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
    return used


def _size(nbytes):
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= factor:
            return f"{nbytes / factor:g} {unit}"
    return f"{nbytes} bytes"
