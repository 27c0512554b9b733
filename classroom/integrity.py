"""Fingerprints of the code a check relies on, taken inside the grading kernel.

A check cell runs in the student's kernel, next to the student's code: ``np.allclose = lambda *a, **k: True``
or a replaced ``w2v_lib.checks`` function would make every check pass. So at kernel start, and before and
after every check cell, the grader takes a fingerprint of

* every module whose name starts with ``w2v_lib``, ``numpy`` or ``classroom``, and ``builtins``: the identity
  of each attribute, and for functions (also the methods of classes those modules define) the identity of
  ``__code__``, ``__defaults__``, ``__kwdefaults__`` and of the closure cells' contents;
* which module object ``sys.modules`` holds under each of those names;
* methods of the IPython shell and of the kernel overridden on the instance (``get_ipython().run_cell = ...``);
* the notebook names a check cell uses that were bound to one of those modules' objects before the exercise
  (``check_close``, ``np``, ``nb03``), so that a solution cell cannot redefine them.

Any difference from the baseline fails the exercise, saying what changed. A module that appears later (a lazy
import) is added to the baseline when first seen, and a submodule attribute added by an import is not a
change. This is a tripwire inside a process the student controls: it stops patching, not a student who
rewrites the fingerprinting itself (see INSTRUCTORS.md).
"""

import ast
import json

PREFIXES = ("w2v_lib", "numpy", "classroom")

# Runs in the kernel, in a namespace of its own. ``request`` holds: "full" (module names whose attribute
# tokens to return; "*" for all), "names" (notebook names to report).
_KERNEL_SOURCE = r'''
import builtins, sys, types

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
    return name == "builtins" or name.split(".")[0] in PREFIXES

def _attributes(module):
    tokens = {}
    for key, value in list(vars(module).items()):
        if isinstance(value, types.ModuleType):
            tokens[key] = "module"
            continue
        tokens[key] = _token(value)
        if isinstance(value, type) and str(getattr(value, "__module__", "")).split(".")[0] in PREFIXES:
            for attribute, member in list(vars(value).items()):
                tokens[f"{key}.{attribute}"] = _token(member)
    return tokens

modules, full = {}, {}
for name, module in list(sys.modules.items()):
    if not _guarded(name) or not isinstance(module, types.ModuleType):
        continue
    tokens = _attributes(module)
    modules[name] = [id(module), hash(tuple(sorted((k, str(v)) for k, v in tokens.items())))]
    if request["full"] == "*" or name in request["full"]:
        full[name] = tokens

shell = user_ns.get("get_ipython", lambda: None)()
overridden = {}
for label, owner in (("shell", shell), ("kernel", getattr(shell, "kernel", None))):
    for key, value in list(vars(owner).items()) if owner is not None else ():
        if callable(getattr(type(owner), key, None)) and callable(value):
            overridden[f"{label}.{key}"] = _token(value)

names = {}
for name in request["names"]:
    value = user_ns.get(name)
    owner = getattr(value, "__name__", "") if isinstance(value, types.ModuleType) else getattr(
        value, "__module__", "")
    names[name] = [_token(value), isinstance(owner, str) and _guarded(owner)]

import json
# A JSON string: its repr comes back whole, where IPython's pretty printer cuts long dicts short.
result = json.dumps({"modules": modules, "full": full, "overridden": overridden, "names": names})
'''


def probe(request):
    """The user expression that takes a fingerprint in the kernel; its value is the repr of a JSON string."""
    setup = f"PREFIXES = {PREFIXES!r}\n" + _KERNEL_SOURCE
    return (f"(lambda namespace: (exec({setup!r}, namespace), namespace['result'])[1])("
            f"{{'__name__': '__classroom__', 'user_ns': globals(), 'request': {json.dumps(request)}}})")


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
    """The names a check cell's code reads (those a solution cell could redefine to fool it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)})


class Fingerprints:
    """The baseline of one kernel, and the comparison of later fingerprints with it."""

    def __init__(self):
        self.modules = {}
        self.full = {}
        self.overridden = {}

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
        """What changed, in words; empty when nothing did.

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
