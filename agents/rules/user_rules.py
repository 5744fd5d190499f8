"""Loading a student's own rules from a Python file they name on their own machine, and keeping them
from hanging or crashing a run without saying why.

Only the command line (``--rules FILE``, ``check-rule FILE:CLASS``, ``sweep --rules FILE``) and sweep
workers (which receive the file's bytes with the run plan) call this: scenario files never load code,
and nothing uploaded to a class server is ever imported.

A rule loaded from a file is checked for the two mistakes that silently break the parameter checks (an
``__init__`` of its own, or a missing ``@dataclasses.dataclass``), and its deciding method is wrapped so
that

* a call that runs longer than ``DECIDE_BUDGET_S`` is stopped, with a sentence naming the rule and the
  situation (an endless loop would otherwise hang ``simulate``, ``check-rule``, a sweep or the Lab);
* an exception becomes one sentence naming the student's file and line, with Python's "Did you mean"
  when the mistake is a misspelt name.
"""

from __future__ import annotations

import ctypes
import difflib
import functools
import hashlib
import importlib.util
import linecache
import sys
import threading
import time
import traceback
from pathlib import Path

from agents.rules.base import RULES, Rule, register
from simulation.errors import UserError

# A rule decides in microseconds; two seconds is far beyond any honest decision on a busy machine and
# short enough that a student sees the message before giving up on the command.
DECIDE_BUDGET_S = 2.0
WATCH_INTERVAL_S = 0.05


class RuleFailure(UserError):
    """A rule loaded from a user's file raised an exception or ran past its time budget."""


class RuleOverran(RuleFailure):
    """A rule loaded from a user's file ran past its time budget (and was stopped)."""


class RuleTimeout(BaseException):
    """Raised inside a rule call that ran past its budget (a BaseException, so that a student's
    ``except Exception`` cannot swallow it)."""


# -- loading --------------------------------------------------------------------------------------
def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_rule_file(path: str | Path) -> list[type[Rule]]:
    """Import ``path`` and register the rule classes defined in it; returns them."""
    path = Path(path)
    if path.suffix != ".py" or not path.is_file():
        raise UserError(f"rules file '{path}' does not exist or is not a .py file")
    return load_rule_source(path.read_bytes(), str(path))


def load_rule_source(source: bytes, path: str) -> list[type[Rule]]:
    """Register the rules in ``source`` (the bytes of the file at ``path``). Sweep workers call this
    with the bytes sent in the run plan, so they need no copy of the file."""
    digest = hashlib.sha256(source).hexdigest()
    module_name = "user_rules_" + hashlib.sha256(path.encode() + source).hexdigest()[:12]
    module = sys.modules.get(module_name) or _execute(source, path, module_name)
    classes = [obj for obj in vars(module).values()
               if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module_name and obj.name]
    if not classes:
        raise UserError(f"rules file '{path}' defines no rule: subclass a rule base class and give it a name and kind")
    for cls in classes:
        try:
            _check_class(cls, path)
        except UserError:
            if RULES.get(cls.name) is cls:
                del RULES[cls.name]  # its own @register ran while the file was imported
            raise
        cls.source_file, cls.source_sha256 = path, digest  # shown in reports, recorded in run.json
        if RULES.get(cls.name) not in (None, cls) and RULES[cls.name].__module__ != module_name:
            raise UserError(f"rules file '{path}': rule name '{cls.name}' is already taken by a built-in rule; "
                            "choose another name")
        try:
            register(cls)
        except TypeError as error:
            raise UserError(f"rules file '{path}': {error}") from None
        _guard(cls)
    return classes


def _execute(source: bytes, path: str, module_name: str):
    spec = importlib.util.spec_from_loader(module_name, loader=None, origin=path)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = path
    sys.modules[module_name] = module
    # Error messages quote the student's line even where only the bytes came (a sweep worker).
    text = source.decode("utf-8", errors="replace")
    linecache.cache[path] = (len(text), None, text.splitlines(keepends=True), path)
    try:
        exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 -- the user's own file, on their machine
    except UserError:
        sys.modules.pop(module_name, None)
        raise
    except Exception as error:  # a student's file may fail in any way; report where, briefly
        sys.modules.pop(module_name, None)
        raise UserError(f"rules file '{path}' failed to load: {type(error).__name__}: {error}"
                        f"{_line_in(path, error)}{did_you_mean(error)}") from None
    return module


def load_rule_class(spec: str) -> type[Rule]:
    """``FILE:CLASS`` -> the class, loaded from the user's file."""
    file, _, class_name = spec.rpartition(":")
    if not file or not class_name:
        raise UserError(f"expected FILE:CLASS (for example examples/rules/cautious_seller.py:CautiousSeller), got '{spec}'")
    for cls in load_rule_file(file):
        if cls.__name__ == class_name:
            return cls
    raise UserError(f"rules file '{file}' has no rule class named '{class_name}'")


def _check_class(cls: type[Rule], path: str) -> None:
    """The two ways a rule class skips its parameter checks without any error of its own."""
    where = f"rules file '{path}', class {cls.__name__}{_class_line(cls)}"
    if "__dataclass_fields__" not in vars(cls):
        raise UserError(f"{where} is not a dataclass, so its parameters are never set or checked: put "
                        "@dataclasses.dataclass on the line just above 'class' (below @register)")
    for klass in cls.__mro__:
        if klass is Rule:
            break
        init = vars(klass).get("__init__")
        if init is not None and getattr(getattr(init, "__code__", None), "co_filename", "<string>") != "<string>":
            raise UserError(f"{where} defines __init__, which replaces the one that sets and checks its parameters: "
                            "declare parameters with param(...) and put set-up code in __post_init__, "
                            "starting with super().__post_init__()")


def _class_line(cls) -> str:
    try:
        import inspect

        lines, first = inspect.getsourcelines(cls)  # starts at the decorators
        return f" (line {first + next(i for i, text in enumerate(lines) if text.lstrip().startswith('class '))})"
    except (OSError, TypeError, StopIteration):
        return ""


# -- calling ---------------------------------------------------------------------------------------
def _guard(cls: type[Rule]) -> None:
    """Wrap the class's own deciding methods (once) with the time budget and the error sentence."""
    for method in ("decide", "orders", "traits", "start"):
        original = vars(cls).get(method)
        if original is None or getattr(original, "_guarded", False):
            continue
        setattr(cls, method, _guarded(cls, method, original))


def _guarded(cls, method: str, original):
    @functools.wraps(original)
    def call(self, *args, **kwargs):
        situation = describe_situation(method, args)
        try:
            with time_budget(DECIDE_BUDGET_S):
                return original(self, *args, **kwargs)
        except RuleTimeout:
            raise RuleOverran(f"rule '{cls.name}' ({cls.__name__} in {cls.source_file}) took more than "
                              f"{DECIDE_BUDGET_S:g} s to decide {situation} and was stopped: look for a loop that "
                              "never ends in its " + method + "()") from None
        except UserError:
            raise
        except Exception as error:  # noqa: BLE001 -- any mistake in a student's rule becomes a sentence
            raise RuleFailure(f"rule '{cls.name}' raised {type(error).__name__}: {error}"
                              f"{_at(cls.source_file, error)}, deciding {situation}{did_you_mean(error)}") from None

    call._guarded = True
    return call


def describe_situation(method: str, args: tuple) -> str:
    """'for JP at step 3 (USD/JPY 151.2, US 10-year 4.62%)', or the month's market for investor rules."""
    obs = args[0] if args else None
    if method == "decide" and hasattr(obs, "actor"):
        prices = getattr(obs, "prices", {}) or {}
        known = [(label, prices[key], unit) for key, label, unit in
                 (("usd_jpy", "USD/JPY", ""), ("us_10y", "US 10-year", "%")) if key in prices]
        market = ", ".join(f"{label} {value:.2f}{unit}" for label, value, unit in known)
        return f"for {obs.actor} at step {obs.step}" + (f" ({market})" if market else "")
    return f"in {method}()"


class _Watchdog:
    """One daemon thread per process that stops rule calls past their deadline.

    A call registers (thread, deadline); the watchdog, waking every ``WATCH_INTERVAL_S``, raises
    ``RuleTimeout`` inside any thread still in a call past its deadline. This works in any thread (the
    Lab's worker threads, Dask's task threads), unlike a signal, which only reaches the main thread.
    Registering is a dict write, so a call costs a few microseconds.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.calls: dict[int, list] = {}   # thread id -> [deadline, fired]
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._watch, name="rule-time-budget", daemon=True)
            self.thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            now = time.monotonic()
            with self.lock:
                for ident, entry in list(self.calls.items()):
                    if not entry[1] and now > entry[0]:
                        entry[1] = True
                        _raise_in(ident, RuleTimeout)


_WATCHDOG = _Watchdog()


class time_budget:
    """``with time_budget(seconds):`` raises ``RuleTimeout`` in this thread if the block runs longer.
    Nested budgets keep the outer one (a rule calling another rule shares its caller's budget)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        self.ident = threading.get_ident()
        with _WATCHDOG.lock:
            self.nested = self.ident in _WATCHDOG.calls
            if not self.nested:
                self.entry = [time.monotonic() + self.seconds, False]
                _WATCHDOG.calls[self.ident] = self.entry
        _WATCHDOG.start()
        return self

    def __exit__(self, kind, error, tb):
        if self.nested:
            return False
        with _WATCHDOG.lock:
            _WATCHDOG.calls.pop(self.ident, None)
        if self.entry[1] and kind is not RuleTimeout:
            # The watchdog fired just as the call was ending: drop the exception still on its way.
            _raise_in(self.ident, None)
            if kind is None:
                raise RuleTimeout
        return False


def _raise_in(ident: int, exception) -> None:
    """Raise ``exception`` in thread ``ident`` at its next Python instruction (None cancels)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(exception) if exception else None)


# -- messages --------------------------------------------------------------------------------------
def _line_in(path: str | Path, error: BaseException) -> str:
    """' (line N)' for where a file failed to import, or '' if the error is not in that file."""
    place = _place(path, error)
    return f" (line {place[0]})" if place else ""


def _at(path: str | Path, error: BaseException) -> str:
    """' at FILE line N (CODE)' for the deepest frame of a rule's error in the student's file."""
    place = _place(path, error)
    if not place:
        return ""
    return f" at {path} line {place[0]}" + (f" ({place[1]})" if place[1] else "")


def _place(path: str | Path, error: BaseException) -> tuple[int, str] | None:
    path = str(path)
    if isinstance(error, SyntaxError) and error.filename == path:
        return error.lineno, ""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    return (frames[-1].lineno, (frames[-1].line or "").strip()) if frames else None


def did_you_mean(error: BaseException) -> str:
    """Python's 'Did you mean' hint for a misspelt name or attribute (Python 3.11 prints it only in
    tracebacks, so it is worked out here the same way: the closest known name)."""
    name = getattr(error, "name", None)
    if not isinstance(name, str):
        return ""
    if isinstance(error, AttributeError):
        try:
            candidates = dir(error.obj)
        except Exception:  # noqa: BLE001 -- no object to look at
            return ""
    elif isinstance(error, NameError):
        tb = error.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is None:
            return ""
        frame = tb.tb_frame
        candidates = [*frame.f_locals, *frame.f_globals, *frame.f_builtins]
    else:
        return ""
    close = difflib.get_close_matches(name, [c for c in candidates if not c.startswith("__")], n=1, cutoff=0.7)
    return f". Did you mean '{close[0]}'?" if close else ""


def rule_file_record(cls) -> dict | None:
    """{'path', 'sha256'} of the file a rule class came from, or None for a built-in rule."""
    path = getattr(cls, "source_file", None)
    return {"path": path, "sha256": cls.source_sha256} if path else None
