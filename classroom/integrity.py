"""Fingerprints of the code a check relies on, taken inside the grading kernel.

A check cell runs in the student's kernel, next to the student's code: ``np.allclose = lambda *a, **k: True``
or a replaced ``w2v_lib.checks`` function would make every check pass. So at kernel start, at the start of
every exercise, and before and after every check cell, the grader takes a fingerprint of

* every module whose name starts with ``w2v_lib``, ``numpy``, ``classroom`` or one of the packages that run
  the kernel (``IPython``, ``ipykernel``, ``jupyter_client``, ``zmq``, ``traitlets``, ``comm``: patching
  their classes can turn a failed cell into a passed one), ``builtins``, and the modules the check cells
  import (``scipy.special``): the identity of each attribute, and for functions (also the methods of classes
  those modules define) the identity of ``__code__``, ``__defaults__``, ``__kwdefaults__`` and of the closure
  cells' contents;
* which module object ``sys.modules`` holds under each of those names, and its class (a module whose
  ``__class__`` was swapped can answer attribute lookups with anything);
* methods of the IPython shell and of the kernel overridden on the instance (``get_ipython().run_cell = ...``);
* the notebook names a check cell uses that were bound to one of those modules' objects before the exercise
  (``check_close``, ``np``, ``nb03``), so that a solution cell cannot redefine them;
* what runs around every cell without being a module attribute: the shell's input and AST transformers,
  event callbacks, custom exception handlers and the kernel's message handlers that are not installed code
  (code from the notebook, not from the Python installation or the course's packages), signal handlers,
  timers, trace and profile functions (``sys.settrace``, ``sys.setprofile``), and the threads alive: any of
  these added by an exercise and still there when its check runs could change the check while it runs and
  undo the change before the next fingerprint;
* what the check reads as an answer (``globals().get("answer_3_3")``): an object of a class defined in the
  notebook could answer ``np.asarray`` or ``float`` with the expected value read from the check's frame.

Any difference fails the exercise, saying what changed. A module that appears later (a lazy import) is added
to the baseline when first seen, and a submodule attribute added by an import is not a change. This is a
tripwire inside a process the student controls: it stops patching, not a student who rewrites the
fingerprinting itself, nor code that the check itself calls (see INSTRUCTORS.md).
"""

import ast
import json
import os
import site
import sys
import sysconfig

PREFIXES = ("w2v_lib", "numpy", "classroom")
# The packages that run the kernel: only their code (functions, classes and the members of classes) is
# fingerprinted, because their data (caches, singletons, counters) changes as the kernel runs.
MACHINERY = ("IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "comm")

# Runs in the kernel, in a namespace of its own. ``request`` holds: "full" (module names whose attribute
# tokens to return; "*" for all), "names" (notebook names to report), "prefixes" and "modules" (what to
# fingerprint fully), "machinery" (packages whose code only to fingerprint), "trusted" (directories of
# installed code, each ending with a separator).
_KERNEL_SOURCE = r"""
import builtins, itertools, os, signal, sys, threading, types

_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by Python code; C types cannot be made by a notebook
_CODE = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type, types.ModuleType)

def _token(value):
    parts = [id(value)]
    if isinstance(value, types.FunctionType):
        parts += [id(value.__code__), id(value.__defaults__), id(value.__kwdefaults__)]
        for cell in value.__closure__ or ():
            try:
                parts.append(id(cell.cell_contents))
            except ValueError:
                parts.append(0)
    return hash(tuple(parts))

def _guarded(name):
    return (name == "builtins" or name in request["modules"]
            or name.split(".")[0] in request["prefixes"] + request["machinery"])

def _code(value):
    return callable(value) or isinstance(value, (property, classmethod, staticmethod))

def _attributes(module):
    code_only = module.__name__.split(".")[0] in request["machinery"]
    tokens = {}
    for key, value in list(vars(module).items()):
        if isinstance(value, types.ModuleType):
            tokens[key] = "module"
            continue
        if code_only and not _code(value):
            continue
        tokens[key] = _token(value)
        if isinstance(value, type) and _guarded(str(getattr(value, "__module__", ""))):
            for attribute, member in list(vars(value).items()):
                if not code_only or _code(member):
                    tokens[f"{key}.{attribute}"] = _token(member)
    return tokens

def _installed(value):
    # Code of the Python installation or of the course's packages, as opposed to code from the notebook.
    if type(value) is types.MethodType:
        return _installed(value.__func__)
    if type(value) is types.BuiltinFunctionType:
        return True
    if type(value) is types.FunctionType:
        return os.path.realpath(value.__code__.co_filename).startswith(tuple(request["trusted"]))
    kind = value if isinstance(value, type) else type(value)
    if not kind.__flags__ & _HEAP_TYPE:
        return True
    module = sys.modules.get(kind.__module__) if isinstance(kind.__module__, str) else None
    found = module
    for part in kind.__qualname__.split("."):
        found = getattr(found, part, None)
    path = getattr(module, "__file__", None)
    return found is kind and isinstance(path, str) and os.path.realpath(path).startswith(tuple(request["trusted"]))

def _foreign(value):
    # The first class defined in the notebook found in an answer (containers searched), or None.
    if issubclass(type(value), _CODE):
        return None  # code, not an answer: it runs during the check anyway
    numpy, stack, budget = sys.modules.get("numpy"), [value], 100000
    while stack and budget > 0:
        item = stack.pop()
        budget -= 1
        if not _installed(type(item)):
            return type(item).__qualname__
        if isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(itertools.islice(item, budget))
        elif isinstance(item, dict):
            stack.extend(itertools.islice(item.items(), budget))
        elif numpy is not None and isinstance(item, numpy.ndarray) and item.dtype.hasobject:
            stack.extend(itertools.islice(item.flat, budget))
    return None

modules, full = {}, {}
for name, module in list(sys.modules.items()):
    if not _guarded(name) or not isinstance(module, types.ModuleType):
        continue
    tokens = _attributes(module)
    modules[name] = [id(module), id(type(module)), hash(tuple(tokens.items()))]
    if request["full"] == "*" or name in request["full"]:
        full[name] = tokens

from IPython import get_ipython
shell = get_ipython()
kernel = getattr(shell, "kernel", None)
overridden = {}
for label, owner in (("shell", shell), ("kernel", kernel)):
    for key, value in list(vars(owner).items()) if owner is not None else ():
        if callable(getattr(type(owner), key, None)) and callable(value):
            overridden[f"{label}.{key}"] = _token(value)

hooks = []
def _hook(place, value):
    if not _installed(value):
        hooks.append(f"{place} {_token(value)}")
if shell is not None:
    for attribute in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
        for value in list(getattr(shell, attribute, ())):
            _hook(f"get_ipython().{attribute} holds a transformer from the notebook", value)
    for event, callbacks in list(shell.events.callbacks.items()):
        for value in list(callbacks):
            _hook(f"get_ipython().events has a '{event}' callback from the notebook", value)
    if shell.custom_exceptions:
        hooks.append(f"get_ipython().set_custom_exc was called {_token(shell.CustomTB)}")
for table in ("shell_handlers", "control_handlers"):
    for key, value in list(getattr(kernel, table, {}).items()):
        _hook(f"get_ipython().kernel.{table}['{key}'] was replaced", value)
for number in signal.valid_signals():
    handler = signal.getsignal(number)
    if callable(handler):
        label = signal.Signals(number).name if number in signal.Signals._value2member_map_ else number
        _hook(f"a handler for signal {label} comes from the notebook", handler)

# Ways to run code at any moment, during a check too: none is set while a course notebook runs.
tracing = [f"a trace or profile function is set ({label})" for label, value in (
    ("sys.settrace", sys.gettrace()), ("sys.setprofile", sys.getprofile()),
    ("threading.settrace", getattr(threading, "_trace_hook", None)),
    ("threading.setprofile", getattr(threading, "_profile_hook", None))) if value is not None]
if hasattr(sys, "monitoring"):
    tracing += [f"a sys.monitoring tool is registered ({tool})" for tool in range(6)
                if sys.monitoring.get_tool(tool) is not None]
if hasattr(signal, "getitimer"):  # not on Windows
    tracing += [f"a timer is set (signal.setitimer or signal.alarm, {label})" for label, which in (
        ("real", signal.ITIMER_REAL), ("virtual", signal.ITIMER_VIRTUAL), ("profiling", signal.ITIMER_PROF))
        if signal.getitimer(which)[0] > 0]

threads = {}
for ident in list(sys._current_frames()):
    thread = threading._active.get(ident)
    if thread is not None and type(thread).__module__ != "threading" and _installed(type(thread)):
        continue  # a library's own thread class (tqdm's monitor), running installed code
    threads[str(ident)] = str(getattr(thread, "name", "started with _thread"))

names = {}
for name in request["names"]:
    value = user_ns.get(name)
    owner = getattr(value, "__name__", "") if isinstance(value, types.ModuleType) else getattr(
        value, "__module__", "")
    guarded = isinstance(owner, str) and _guarded(owner)
    names[name] = [_token(value), guarded, None if guarded else _foreign(value)]

import json
# A JSON string: its repr comes back whole, where IPython's pretty printer cuts long dicts short.
result = json.dumps({"modules": modules, "full": full, "overridden": overridden, "names": names,
                     "hooks": hooks, "tracing": tracing, "threads": threads})
"""


def trusted_directories(workspace):
    """Where installed code lives for a kernel in ``workspace``: the Python installation and its packages."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(), str(workspace / "lib")}
    paths |= {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return sorted(os.path.join(os.path.realpath(path), "") for path in paths)


def preload_code(module_names):
    """Code that imports the modules to fingerprint from the start, ignoring those that do not import."""
    lines = ["import importlib as __classroom_importlib"]
    for name in module_names:
        lines.append(f"try:\n    __classroom_importlib.import_module({name!r})\nexcept Exception:\n    pass")
    lines.append("del __classroom_importlib")
    return "\n".join(lines)


def modules_used(sources, package_modules):
    """The ``w2v_lib`` modules a notebook imports (read from its cells' source) plus every ``w2v_lib.checks*``.

    Parameters
    ----------
    sources : list of str
        The instructor notebook's code cells.
    package_modules : list of str
        Every module name of the snapshot's ``w2v_lib`` (``"w2v_lib.checks"``, ``"w2v_lib.losses"``...).
    """
    used = {"numpy", "w2v_lib"} | {name for name in package_modules if name.startswith("w2v_lib.checks")}
    for source in sources:
        for name in package_modules:
            short = name.rsplit(".", 1)[-1]
            if name in source or f"import {short}" in source or f" {short}," in source or f", {short}" in source:
                used.add(name)
    return sorted(used)


def names_used(source):
    """The names a check cell's code reads: those a solution cell could redefine to fool it, and the answers it
    reads by name (``globals().get("answer_3_3")``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
                  | {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                     and isinstance(node.value, str) and node.value.isidentifier()})


def modules_imported(sources):
    """The modules that code cells import (``from scipy.special import expit`` gives ``scipy.special``)."""
    found = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
    return sorted(found)


class Fingerprints:
    """The baseline of one kernel, and the comparison of later fingerprints with it.

    Parameters
    ----------
    modules : sequence of str
        Modules to fingerprint besides those starting with one of ``PREFIXES`` (those the check cells import).
    trusted : sequence of str
        Directories of installed code (:func:`trusted_directories`).
    """

    def __init__(self, modules=(), trusted=()):
        self.scope = {"prefixes": list(PREFIXES), "machinery": list(MACHINERY), "modules": list(modules),
                      "trusted": list(trusted)}
        self.modules = {}
        self.full = {}
        self.overridden = {}

    def probe(self, full=(), names=()):
        """The user expression that takes a fingerprint in the kernel; its value is the repr of a JSON string.

        Parameters
        ----------
        full : sequence of str, or "*"
            Modules whose attribute tokens to return ("*": all).
        names : sequence of str
            Notebook names to report.
        """
        request = {**self.scope, "full": full if full == "*" else list(full), "names": list(names)}
        return (f"(lambda namespace: (exec({_KERNEL_SOURCE!r}, namespace), namespace['result'])[1])("
                f"{{'__name__': '__classroom__', 'user_ns': globals(), 'request': {json.dumps(request)}}})")

    def set_baseline(self, fingerprint):
        self.modules = dict(fingerprint["modules"])
        self.full = dict(fingerprint["full"])
        self.overridden = dict(fingerprint["overridden"])

    def new_modules(self, fingerprint):
        return [name for name in fingerprint["modules"] if name not in self.modules]

    def changed_modules(self, fingerprint):
        return [name for name, value in fingerprint["modules"].items()
                if name in self.modules and value != self.modules[name]]

    def adopt(self, fingerprint, names):
        """Add modules first seen now (a lazy import) to the baseline, with their full attribute tokens."""
        for name in names:
            self.modules[name] = fingerprint["modules"][name]
            self.full[name] = fingerprint["full"][name]

    def differences(self, fingerprint, detail):
        """What changed since the baseline, in words; empty when nothing did.

        Parameters
        ----------
        fingerprint : dict
            A fingerprint whose ``full`` holds at least the modules :meth:`changed_modules` named (``detail``).
        detail : list of str
            Those modules.
        """
        found = []
        for name in sorted(set(self.modules) - set(fingerprint["modules"])):
            found.append(f"module {name} was removed from sys.modules")
        for name in detail:
            if fingerprint["modules"][name][0] != self.modules[name][0]:
                found.append(f"module {name} was replaced in sys.modules")
                continue
            if fingerprint["modules"][name][1] != self.modules[name][1]:
                found.append(f"the class of module {name} was replaced")
                continue
            before, after = self.full.get(name, {}), fingerprint["full"].get(name, {})
            changed = False
            for key in sorted(set(before) | set(after)):
                if before.get(key) == after.get(key):
                    continue
                if key not in before and after[key] == "module":
                    continue  # a submodule imported since: attribute added by the import system
                changed = True
                verb = "added to" if key not in before else "deleted from" if key not in after else "replaced in"
                found.append(f"{name}.{key} was {verb} the module" if verb != "replaced in" else f"{name}.{key} was replaced")
            if not changed:
                # Only submodules were added: the new state is the baseline from now on.
                self.modules[name] = fingerprint["modules"][name]
                self.full[name] = after
        for key in sorted(set(self.overridden) | set(fingerprint["overridden"])):
            if self.overridden.get(key) != fingerprint["overridden"].get(key):
                found.append(f"get_ipython(){'.kernel' if key.startswith('kernel.') else ''}.{key.split('.', 1)[1]} was overridden")
        return found

    @staticmethod
    def added_since(start, fingerprint):
        """What runs around the check now that did not when the exercise started, and answers that are objects
        of the notebook's own classes, in words.

        Parameters
        ----------
        start : dict
            The fingerprint taken when the exercise started (lesson cells before it may add hooks and threads).
        fingerprint : dict
        """
        found = list(fingerprint["tracing"])
        found += [hook.rsplit(" ", 1)[0] for hook in sorted(set(fingerprint["hooks"]) - set(start["hooks"]))]
        found += [f"a thread the notebook started ({name}) is still running" for ident, name
                  in sorted(fingerprint["threads"].items()) if ident not in start["threads"]]
        found += [f"`{name}` holds a {foreign} object, of a class defined in the notebook, where the check expects "
                  "numbers, arrays, lists or tuples" for name, (_, _, foreign) in sorted(fingerprint["names"].items())
                  if foreign]
        return found
