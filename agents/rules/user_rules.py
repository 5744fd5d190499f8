"""Loading a student's own rules from a Python file they name on their own machine.

Only the command line (``--rules FILE``, ``check-rule FILE:CLASS``) calls this: scenario files never
load code, and nothing uploaded to a class server is ever imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from pathlib import Path

from agents.rules.base import RULES, Rule, register
from simulation.errors import UserError


def load_rule_file(path: str | Path) -> list[type[Rule]]:
    """Import ``path`` and register the rule classes defined in it; returns them."""
    path = Path(path)
    if path.suffix != ".py" or not path.is_file():
        raise UserError(f"rules file '{path}' does not exist or is not a .py file")
    source = path.read_bytes()
    module_name = "user_rules_" + hashlib.sha256(str(path.resolve()).encode() + source).hexdigest()[:12]
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except UserError:
            sys.modules.pop(module_name, None)
            raise
        except Exception as error:  # a student's file may fail in any way; report where, briefly
            sys.modules.pop(module_name, None)
            raise UserError(f"rules file '{path}' failed to load: {type(error).__name__}: {error}"
                            f"{_line_in(path, error)}") from None
    classes = [obj for obj in vars(module).values()
               if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module_name and obj.name]
    if not classes:
        raise UserError(f"rules file '{path}' defines no rule: subclass a rule base class and give it a name and kind")
    for cls in classes:
        cls.source_file = str(path)  # shown in check-rule reports instead of the generated module name
        if RULES.get(cls.name) not in (None, cls) and RULES[cls.name].__module__ != module_name:
            raise UserError(f"rules file '{path}': rule name '{cls.name}' is already taken by a built-in rule; "
                            "choose another name")
        try:
            register(cls)
        except TypeError as error:
            raise UserError(f"rules file '{path}': {error}") from None
    return classes


def load_rule_class(spec: str) -> type[Rule]:
    """``FILE:CLASS`` -> the class, loaded from the user's file."""
    file, _, class_name = spec.rpartition(":")
    if not file or not class_name:
        raise UserError(f"expected FILE:CLASS (for example examples/rules/cautious_seller.py:CautiousSeller), got '{spec}'")
    for cls in load_rule_file(file):
        if cls.__name__ == class_name:
            return cls
    raise UserError(f"rules file '{file}' has no rule class named '{class_name}'")


def _line_in(path: Path, error: Exception) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    line = getattr(error, "lineno", None) if isinstance(error, SyntaxError) else (frames[-1].lineno if frames else None)
    return f" (line {line})" if line else ""
