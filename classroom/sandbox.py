"""Confinement of a grading kernel, and the clean-up of every process a submission started.

The grader starts each kernel through this module's launcher::

    python -m classroom.sandbox --write DIR ... --read DIR ... --cpu S --memory BYTES --file-size BYTES \\
        [--landlock] -- python -m ipykernel_launcher -f CONNECTION_FILE

which, before it replaces itself with the kernel command (``exec``, so the kernel keeps its process id):

1. starts its own session and process group (``setsid``), so an interrupt or a kill reaches everything the
   kernel started in that group;
2. sets resource limits: CPU seconds (the kernel is killed when they run out), address space (allocations
   fail with MemoryError beyond it), size of any file written (writes fail beyond it), no core files;
3. on Linux as root, drops every capability (bounding, ambient, effective, permitted, inheritable): the
   student's code keeps uid 0's ownership of root's files but cannot load modules, mount, open raw sockets or
   signal other users' processes;
4. on Linux with Landlock (``--landlock``), sets ``no_new_privs`` and restricts itself: files can be written
   only below the ``--write`` directories (plus ``/dev/null``), read only below the ``--read`` directories;
   with Landlock ABI >= 4 no TCP connection can be opened and only the kernel's own ports (from the connection
   file) can be bound; with ABI >= 6 the kernel cannot signal processes outside its sandbox nor reach
   abstract Unix sockets. If Landlock was asked for and cannot be applied, the launcher exits with status 70
   and the kernel does not start.

What is *not* confined: UDP sockets and pathname Unix sockets, reading what the ``--read`` directories hold,
and (without Landlock) everything the grader's user may do. :func:`confinement_warning` says it in one line.

The grading worker makes itself a child subreaper (:func:`become_subreaper`), so processes the kernel
detaches (``start_new_session=True``, a double fork) stay its descendants, and :func:`kill_descendants` ends
them after each exercise (sparing the kernel) and after each submission. :func:`resident_memory` lets the
grader add up the memory of all of them.
"""

import argparse
import ctypes
import errno
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

INSTRUCTORS_CONTAINER = "notebooks/INSTRUCTORS.md, section 'Grading in a container'"
LANDLOCK_FAILED = 70  # os.EX_SOFTWARE: the launcher's own failure, distinct from anything the kernel exits with

# Linux constants (include/uapi/linux/prctl.h, capability.h, landlock.h). The Landlock system calls have the
# same numbers on every architecture.
_PR_CAPBSET_DROP = 24
_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH, _LANDLOCK_RULE_NET_PORT = 1, 2
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_WRITE_DIR_RIGHTS = sum(1 << bit for bit in range(4, 13))  # remove dir/file, make char/dir/reg/sock/fifo/block/sym
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
_O_PATH = getattr(os, "O_PATH", 0)
_PAGE_SIZE = resource.getpagesize()


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi():
    """The running kernel's Landlock ABI version, or 0 where there is none (not Linux, disabled, too old)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                                  ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def confinement_warning(abi=None):
    """One line saying what grading cannot confine on this machine, or None when Landlock is there.

    Parameters
    ----------
    abi : int, optional
        The Landlock ABI (default: :func:`landlock_abi`).
    """
    abi = landlock_abi() if abi is None else abi
    if abi == 0:
        where = "this system has no Landlock" if sys.platform.startswith("linux") else f"{sys.platform} has no Landlock"
        subreaper = "" if sys.platform.startswith("linux") else ", and detached processes are not tracked"
        return (f"warning: {where}: submitted code can read and write any file your user can, and use the "
                f"network (resource limits and throwaway workspaces still apply{subreaper}); grade untrusted "
                f"submissions in a container ({INSTRUCTORS_CONTAINER}).")
    if abi < 4:
        return (f"warning: Landlock ABI {abi} (< 4) confines files but not TCP connections: submitted code can "
                f"use the network; grade untrusted submissions in a container ({INSTRUCTORS_CONTAINER}).")
    return None


def become_subreaper():
    """Make this process a child subreaper (Linux), so orphaned descendants are re-parented to it.

    Returns
    -------
    bool
        False where it is not available: then a process that detaches itself escapes :func:`kill_descendants`.
    """
    if not sys.platform.startswith("linux"):
        return False
    return _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def descendants(pid=None):
    """Process ids of every descendant of ``pid`` (default: this process), read from ``/proc`` (Linux)."""
    pid = os.getpid() if pid is None else pid
    children = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (field 2) may hold spaces and parentheses: the fields after its last ')' are safe.
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, frontier = [], [pid]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.append(child)
            frontier.append(child)
    return found


def kill_descendants(timeout=5.0, spare=None):
    """SIGKILL every descendant of this process but ``spare``, and reap them; return how many were killed.

    Repeats until none is left (a process may fork while the others are being killed), within ``timeout``
    seconds. Processes in another session or process group are found too, through the parent links that
    :func:`become_subreaper` keeps. The descendants of ``spare`` (a kernel that goes on) are killed too.
    """
    killed = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [pid for pid in descendants() if pid != spare]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        _reap_children()
        time.sleep(0.02)
    _reap_children()
    return killed


def resident_memory(pids):
    """Bytes of resident memory of the processes ``pids`` together (Linux; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_SIZE
        except (OSError, ValueError, IndexError):
            pass  # gone meanwhile
    return total


def _reap_children():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def default_read_roots():
    """Directories a Python kernel must be able to read: the system's and this interpreter's installation."""
    import site
    import sysconfig

    roots = {"/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/opt"}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    roots |= set(site.getsitepackages()) | {sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")}
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        roots.add(site.getusersitepackages())
    return sorted({os.path.realpath(root) for root in roots if os.path.exists(root)})


# ----------------------------------------------------------------------------------------------------------
# The launcher (runs in the child, before exec)


def _drop_capabilities(libc):
    for capability in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            if ctypes.get_errno() == errno.EINVAL:
                break  # past the last capability this kernel knows
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # two structs of (effective, permitted, inheritable), all zero
    if libc.capset(ctypes.byref(header), ctypes.byref(data)) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def _landlock(libc, abi, write_dirs, read_dirs, bind_ports):
    fs_read = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
    fs_write = _FS_WRITE_FILE | _FS_WRITE_DIR_RIGHTS | (_FS_REFER if abi >= 2 else 0) | (
        _FS_TRUNCATE if abi >= 3 else 0)
    device_rights = _FS_IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(handled_access_fs=fs_read | fs_write | device_rights,
                        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        scoped=(_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")

    def allow(path, access):
        try:
            fd = os.open(path, _O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # a root that does not exist here (e.g. /lib32) needs no rule
        try:
            if not os.path.isdir(path):
                access &= _FS_EXECUTE | _FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
            rule = _PathBeneathAttr(allowed_access=access, parent_fd=fd)
            if libc.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0):
                raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
        finally:
            os.close(fd)

    for path in read_dirs:
        allow(path, fs_read | device_rights)
    for path in write_dirs:
        allow(path, fs_read | fs_write)
    for device in ("/dev/null", "/dev/zero", "/dev/full"):
        allow(device, _FS_READ_FILE | _FS_WRITE_FILE | (_FS_TRUNCATE if abi >= 3 else 0) | device_rights)
    if abi >= 4:
        for port in bind_ports:
            rule = _NetPortAttr(allowed_access=_NET_BIND_TCP, port=port)
            if libc.syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_NET_PORT, ctypes.byref(rule), 0):
                raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for port {port}")
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    os.close(ruleset)


def _kernel_ports(command):
    """The ports of the kernel's connection file (the argument after ``-f`` in its command)."""
    if "-f" not in command[:-1]:
        return []
    info = json.loads(Path(command[command.index("-f") + 1]).read_text())
    return [int(info[key]) for key in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
            if info.get(key)]


def main(argv=None):
    """Apply the limits and the sandbox to this process, then ``exec`` the command after ``--``."""
    parser = argparse.ArgumentParser(prog="python -m classroom.sandbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="append", default=[], metavar="DIR", help="a directory it may write in")
    parser.add_argument("--read", action="append", default=[], metavar="DIR", help="a directory it may read")
    parser.add_argument("--cpu", type=int, default=None, metavar="SECONDS", help="CPU time limit")
    parser.add_argument("--memory", type=int, default=None, metavar="BYTES", help="address-space limit")
    parser.add_argument("--file-size", type=int, default=None, metavar="BYTES", help="largest file it may write")
    parser.add_argument("--landlock", action="store_true", help="restrict files and network with Landlock")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    try:
        os.setsid()
    except OSError:
        pass  # already a session leader (jupyter_client starts kernels with start_new_session=True)
    for limit, value in ((resource.RLIMIT_CPU, args.cpu), (resource.RLIMIT_AS, args.memory),
                         (resource.RLIMIT_FSIZE, args.file_size), (resource.RLIMIT_CORE, 0)):
        if value is not None:
            resource.setrlimit(limit, (value, value))
    if sys.platform.startswith("linux"):
        libc = _libc()
        try:
            if os.geteuid() == 0:
                _drop_capabilities(libc)
            if args.landlock:
                abi = landlock_abi()
                if abi == 0:
                    raise OSError(errno.ENOSYS, "Landlock is not available")
                _landlock(libc, abi, args.write, args.read, _kernel_ports(command))
        except OSError as error:
            print(f"classroom.sandbox: cannot confine the kernel: {error}", file=sys.stderr)
            return LANDLOCK_FAILED
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
