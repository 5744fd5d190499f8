"""A run as a small saved state: scenario + seed + steps + decisions + model version.

Because a run is data, this is all it takes to reproduce every number. A state travels as a small TOML
file or as a URL query string (for the app):

    ?scenario=kato-2025&seed=3&steps=24&v=0.2.0&sha=1a2b3c4d5e6f&d=2,JP,sell_treasuries,amount_bn:100

Restoring a state saved by another model version, or against a scenario file that has changed since,
is refused with a message saying so, unless the user asks to replay it anyway.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from simulation.decisions import FIELDS, Decision, check, from_mapping
from simulation.errors import UserError, read_user_text
from simulation.version import MODEL_VERSION

SHA_CHARS = 12  # enough to notice a changed scenario file in a URL


@dataclass(frozen=True)
class SavedRun:
    scenario: str
    scenario_sha256: str
    seed: int
    steps: int
    decisions: tuple[Decision, ...]
    model_version: str = MODEL_VERSION
    seats: tuple[str, ...] = ()        # roles people played: they had no rules, only their decisions
    calibration_preset: str = ""       # low / central / high when chosen for the run ("" = the scenario's own)
    rule_changes: tuple[str, ...] = ()  # run.json only: rules given on the command line (labels) ...
    rule_settings: tuple[dict, ...] = ()  # ... and how to redo them: {"seat", "kind", "rule", "params"}
    rule_files: tuple[dict, ...] = ()  # the user's rule files the run used: {"path", "sha256"}

    @classmethod
    def of(cls, result) -> "SavedRun":
        """The saved state of a finished run (a RunResult)."""
        r = result.record
        decisions = tuple(from_mapping({k: v for k, v in d.items() if k in FIELDS}, "run record", origin="file")
                          for d in r["decisions"])
        return cls(r["scenario"], r["scenario_sha256"], r["seed"], r["steps"], decisions, r["model_version"],
                   tuple(r.get("seats", ())), r.get("calibration_preset", ""),
                   tuple(r.get("rule_changes", ())), tuple(r.get("rule_settings", ())), tuple(r.get("rule_files", ())))


# -- TOML file ------------------------------------------------------------------------------------
def to_toml(state: SavedRun) -> str:
    lines = [f'model_version = "{state.model_version}"', f'scenario = "{state.scenario}"',
             f'scenario_sha256 = "{state.scenario_sha256}"', f"seed = {state.seed}", f"steps = {state.steps}"]
    if state.seats:
        lines.append(f"seats = {json.dumps(list(state.seats))}")
    if state.calibration_preset:
        lines.append(f'calibration_preset = "{state.calibration_preset}"')
    lines.append("")
    for d in state.decisions:
        lines.append("[[decision]]")
        lines.extend(f"{k} = {json.dumps(v)}" for k, v in d.to_record().items() if k in FIELDS)
        lines.append("")
    return "\n".join(lines)


def from_record(data: dict, where: str) -> SavedRun:
    """Build a state from a parsed TOML state file or a run.json record."""
    for key in ("model_version", "scenario", "seed", "steps"):
        if key not in data:
            raise UserError(f"{where}: missing '{key}'; expected a saved run (from --save or run.json)")
    raw = data.get("decisions", data.get("decision", []))
    if not isinstance(raw, list):
        raise UserError(f"{where}: 'decision' must be a list of [[decision]] tables")
    decisions = []
    for number, item in enumerate(raw, start=1):
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k in FIELDS}
        decision = from_mapping(item, f"{where}, decision {number}", origin="file")
        check(decision, _int(data["steps"], "steps", where))
        decisions.append(decision)
    return SavedRun(str(data["scenario"]), str(data.get("scenario_sha256", "")), _int(data["seed"], "seed", where),
                    _int(data["steps"], "steps", where), tuple(decisions), str(data["model_version"]),
                    _seats(data.get("seats", []), where), _preset(data.get("calibration_preset", ""), where),
                    *_rule_records(data, where))


def _rule_records(data: dict, where: str) -> tuple[tuple, tuple, tuple]:
    """rule_changes, rule_settings and rule_files of a run.json, checked for shape."""
    changes, settings, files = (data.get(key, []) for key in ("rule_changes", "rule_settings", "rule_files"))
    for key, value, fields in (("rule_settings", settings, ("seat", "kind", "rule", "params")),
                               ("rule_files", files, ("path", "sha256"))):
        if not isinstance(value, list) or not all(isinstance(v, dict) and set(fields) <= set(v) for v in value):
            raise UserError(f"{where}: '{key}' must be a list of tables with {', '.join(fields)}")
    if not isinstance(changes, list):
        raise UserError(f"{where}: 'rule_changes' must be a list")
    return tuple(str(c) for c in changes), tuple(settings), tuple(files)


def read_state(path_or_query: str) -> SavedRun:
    """A saved state from a .toml state file, a run.json record, or a URL / query string."""
    text = str(path_or_query)
    if text.startswith(("?", "http://", "https://")) or ("scenario=" in text and not Path(text).exists()):
        return from_query(text)
    path = Path(text)
    content = read_user_text(path, "saved run")
    try:
        data = json.loads(content) if path.suffix == ".json" else tomllib.loads(content)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise UserError(f"saved run '{path}' is not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {error}") from None
    if not isinstance(data, dict):
        raise UserError(f"saved run '{path}' must be a table of fields")
    return from_record(data, f"saved run '{path}'")


# -- URL query ------------------------------------------------------------------------------------
def to_query(state: SavedRun) -> str:
    moves = decisions_to_text(state.decisions)
    params = {"scenario": state.scenario, "seed": state.seed, "steps": state.steps, "v": state.model_version,
              "sha": state.scenario_sha256[:SHA_CHARS]}
    if state.seats:
        params["seats"] = ",".join(state.seats)
    if state.calibration_preset:
        params["preset"] = state.calibration_preset
    if moves:
        params["d"] = moves
    return "?" + urlencode(params)


def decisions_to_text(decisions) -> str:
    """Decisions as a link writes them: ``step,actor,action,field:value...`` joined by ``;``."""
    return ";".join(",".join([str(d.step), d.actor, d.action] + [f"{k}:{v:g}" if isinstance(v, float) else f"{k}:{v}"
                                                               for k, v in d.to_record().items()
                                                               if k in FIELDS[3:]])
                    for d in decisions)


def decisions_from_text(text: str, steps: int, where: str = "saved link") -> list[Decision]:
    """The decisions of ``decisions_to_text``, each checked; a fault is a ``UserError`` naming its place."""
    decisions = []
    for number, item in enumerate(filter(None, (text or "").split(";")), start=1):
        parts = item.split(",")
        if len(parts) < 3:
            raise UserError(f"{where}, decision {number}: expected 'step,actor,action[,field:value...]', got '{item}'")
        data = {"step": _int(parts[0], "step", f"{where}, decision {number}"), "actor": parts[1], "action": parts[2]}
        for pair in parts[3:]:
            key, _, value = pair.partition(":")
            data[key] = (_number(value) if key in ("amount_bn", "rate_pct")
                         else {"true": True, "false": False}.get(value.lower(), value) if key == "repatriate" else value)
        decision = from_mapping(data, f"{where}, decision {number}", origin="file")
        check(decision, steps)
        decisions.append(decision)
    return decisions


def from_query(query: str) -> SavedRun:
    where = "saved link"
    fields = parse_qs(urlsplit(query).query if "://" in query else query.lstrip("?"), keep_blank_values=True)
    get = lambda key: fields[key][-1] if key in fields else None  # noqa: E731
    for key in ("scenario", "seed", "steps", "v"):
        if get(key) is None:
            raise UserError(f"{where}: missing '{key}'; expected scenario, seed, steps and v (model version)")
    steps = _int(get("steps"), "steps", where)
    decisions = decisions_from_text(get("d") or "", steps, where)
    return SavedRun(get("scenario"), get("sha") or "", _int(get("seed"), "seed", where), steps,
                    tuple(decisions), get("v"), _seats(list(filter(None, (get("seats") or "").split(","))), where),
                    _preset(get("preset") or "", where))


# -- restoring ------------------------------------------------------------------------------------
def restore(state: SavedRun, allow_version_change: bool = False, rules: list[str] | tuple[str, ...] = ()):
    """Replay a saved state; refuses (with a reason) if the model or the scenario file changed, or if the
    run used rules from the user's files and ``rules`` does not give those same files."""
    from scenarios import load_scenario, with_rule
    from simulation.runner import run

    if state.model_version != MODEL_VERSION and not allow_version_change:
        raise UserError(f"this run was saved by model version {state.model_version} and this is {MODEL_VERSION}; "
                        "its numbers may differ (replay anyway with --allow-version-change)")
    load_rule_files_for(state, rules, allow_version_change)
    if state.rule_changes and not state.rule_settings:
        raise UserError(f"this run changed rules on the command line ({'; '.join(state.rule_changes)}) but its "
                        "record does not say how to redo them (it was saved by an older version); run it again "
                        "with the same --use-rule options instead")
    loaded = load_scenario(state.scenario)
    for setting in state.rule_settings:
        seat = None if setting["seat"] == "investors" else setting["seat"]
        loaded = with_rule(loaded, seat, setting["kind"], setting["rule"], setting["params"])
    if state.scenario_sha256 and not loaded.sha256.startswith(state.scenario_sha256) and not allow_version_change:
        raise UserError(f"scenario '{state.scenario}' has changed since this run was saved; its numbers may differ "
                        "(replay anyway with --allow-version-change)")
    return run(loaded, seed=state.seed, steps=state.steps, decisions=list(state.decisions), seats=state.seats,
               calibration_preset=state.calibration_preset or None)


def load_rule_files_for(state: SavedRun, given, allow_changed: bool) -> None:
    """Load the rule files given with ``replay --rules``; every file the run used must be among them,
    byte for byte (by SHA-256, wherever it now lives), or the replay would silently differ."""
    from agents.rules.user_rules import file_sha256, load_rule_file

    loaded = {}
    for path in given:
        load_rule_file(path)
        loaded[file_sha256(path)] = path
    for used in state.rule_files:
        if used["sha256"] in loaded:
            continue
        same_name = [p for p in loaded.values() if Path(p).name == Path(used["path"]).name]
        if same_name and allow_changed:
            continue
        if same_name:
            raise UserError(f"rules file '{same_name[0]}' is not the one this run used: '{used['path']}' had SHA-256 "
                            f"{used['sha256'][:12]}..., this file has {file_sha256(same_name[0])[:12]}...; its rules "
                            "may decide differently (replay anyway with --allow-version-change)")
        raise UserError(f"this run used rules from your file '{used['path']}' (SHA-256 {used['sha256'][:12]}...); "
                        f"replay it with --rules {used['path']} so the same code decides again")


def _int(value, name: str, where: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: '{name}' must be a whole number, got {value!r}") from None
    if isinstance(value, float) and value != number or isinstance(value, bool):
        raise UserError(f"{where}: '{name}' must be a whole number, got {value!r}")
    return number


def _seats(value, where: str) -> tuple[str, ...]:
    from simulation.world import CENTRAL_BANKS, ECONOMIES

    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise UserError(f"{where}: 'seats' must be a list of role codes such as [\"JP\", \"BOJ\"]")
    for seat in value:
        if seat not in ECONOMIES and seat not in CENTRAL_BANKS:
            raise UserError(f"{where}: unknown seat '{seat}'; expected an economy ({', '.join(ECONOMIES)}) "
                            f"or a central bank ({', '.join(CENTRAL_BANKS)})")
    if len(set(value)) != len(value):
        raise UserError(f"{where}: a seat is listed twice in 'seats'")
    return tuple(value)


def _preset(value, where: str) -> str:
    from simulation.calibration import PRESETS

    if value not in ("", *PRESETS):
        raise UserError(f"{where}: unknown calibration preset {value!r}; expected one of: {', '.join(PRESETS)}")
    return value


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text  # left for the decision check to refuse with its own message
