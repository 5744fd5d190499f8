"""HTTP API of the class game: JSON under ``/api/class/...``, served by the app's one Starlette server.

Every answer is JSON. A user error is ``{"error": "one clear sentence"}`` with a 4xx status (401 no or
unknown token, 403 a token that may not do this, 404 unknown room, 409 a submission for a round
already over, 413 body too large, 429 too many attempts, 503 the class-game file refused a write);
anything unexpected is a 500 with a sentence, and the traceback goes to the
server's log only.
Room work runs in Starlette's thread pool, so a resolving round never blocks the pages' websockets.
"""

from __future__ import annotations

import json
import math
import os
import sys
import traceback

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from classroom.errors import NotFound, TooLarge, http_status
from classroom.links import instructor_link, join_link, rejoin_link
from scenarios import shipped_scenarios
from simulation.errors import UserError

MAX_BODY_BYTES = 16 * 1024
MAX_DIGITS = 15
PREFIX = "/api/class"
INSTRUCTOR_ACTIONS = ("start", "pause", "resume", "advance", "extend", "broadcast", "shock", "assign",
                      "remove", "vacate")


def routes() -> list[Route]:
    """The API's routes. When the server names a class-game file, its rooms are replayed now, at
    start-up, so that their clocks run before anyone asks for them."""
    if os.environ.get("TRADEWAR_CLASS_DB"):
        from classroom import get_registry

        get_registry()
    table = [
        (f"{PREFIX}/rooms", "POST", create_room),
        (f"{PREFIX}/rooms/{{code}}/join", "POST", join_room),
        (f"{PREFIX}/rooms/{{code}}/state", "GET", room_state),
        (f"{PREFIX}/rooms/{{code}}/submit", "POST", submit),
        (f"{PREFIX}/rooms/{{code}}/draft", "POST", draft),
        (f"{PREFIX}/rooms/{{code}}/scoreboard", "GET", scoreboard),
        (f"{PREFIX}/rooms/{{code}}/rounds/{{k}}", "GET", replay_round),
        (f"{PREFIX}/rooms/{{code}}/branch", "POST", branch),
        (f"{PREFIX}/rooms/{{code}}/export", "GET", export),
        (f"{PREFIX}/rooms/{{code}}/{{action}}", "POST", instructor_action),
        (f"{PREFIX}/{{rest:path}}", None, unknown_path),
    ]
    return [Route(path, _guarded(handler, method), methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
            for path, method, handler in table]


def _guarded(handler, method: str | None):
    """Wrap a handler: the right method, user errors as JSON with their status, nothing else leaks."""
    async def endpoint(request: Request) -> Response:
        if method is not None and request.method != method:
            return _error(405, f"{request.url.path} takes {method} requests, not {request.method}")
        try:
            return await handler(request)
        except UserError as error:
            return _error(http_status(error), str(error))
        except ClientDisconnect:        # the client went away mid-upload: nothing to answer, nothing broken
            return Response(status_code=499)
        except Exception:       # a bug: the sentence to the user, the traceback to the server's log
            traceback.print_exc(file=sys.stderr)
            return _error(500, "the server could not do this because of an internal error; it has been logged")
    return endpoint


def _error(status: int, sentence: str) -> JSONResponse:
    return JSONResponse({"error": sentence}, status_code=status)


async def _body(request: Request) -> dict:
    """The request's JSON object, read up to ``MAX_BODY_BYTES``; an empty body is ``{}``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge(f"the request body is {int(declared)} bytes; the limit is {MAX_BODY_BYTES}")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise TooLarge(f"the request body is over the limit of {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_int=_json_int, parse_constant=_json_constant, parse_float=_json_float)
    except (ValueError, UnicodeDecodeError) as error:
        raise UserError(f"the request body is not valid JSON ({error}); send a JSON object") from None
    if not isinstance(data, dict):
        raise UserError(f"the request body must be a JSON object, got a {type(data).__name__}")
    return data


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number has more than {MAX_DIGITS} digits")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _json_constant(text: str):
    raise ValueError(f"{text} is not a number JSON allows")


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _room(request: Request):
    from classroom import get_registry

    return get_registry().get(request.path_params["code"], client=_client(request))


def _fields(body: dict, allowed: tuple[str, ...], where: str) -> dict:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise UserError(f"{where}: unknown field '{unknown[0]}'; expected some of {', '.join(allowed)}")
    return body


def _frame(table) -> list[dict]:
    """A DataFrame as JSON rows (NaN becomes null)."""
    return json.loads(table.to_json(orient="records", double_precision=15))


# -- handlers -------------------------------------------------------------------------------------
async def create_room(request: Request) -> Response:
    from classroom import get_registry

    body = _fields(await _body(request), ("scenario", "seats", "seed", "steps", "round_seconds", "start"),
                   "create a room")
    shipped = shipped_scenarios()
    if not isinstance(body.get("scenario"), str) or body["scenario"] not in shipped:
        raise UserError(f"create a room: 'scenario' must be one of the shipped scenarios ({', '.join(shipped)}); "
                        "a scenario file of your own can be used from the app on the server's machine")
    options = {k: body[k] for k in ("seats", "seed", "steps", "round_seconds") if k in body}
    room, token = await run_in_threadpool(get_registry().create, body["scenario"], start=bool(body.get("start")),
                                          client=_client(request), **options)
    return JSONResponse({"code": room.code, "instructor_token": token, "join_link": join_link(room.code),
                         "instructor_link": instructor_link(room.code, token), "seats": list(room.seats)},
                        status_code=201)


async def join_room(request: Request) -> Response:
    from classroom import get_registry

    body = _fields(await _body(request), ("name", "seat"), "join")
    room, seat, token = await run_in_threadpool(get_registry().join, request.path_params["code"],
                                                body.get("name"), body.get("seat"), _client(request))
    you = room.state(token)["you"]
    return JSONResponse({"code": room.code, "seat": seat, "person": you["id"], "token": token,
                         "rejoin_link": rejoin_link(room.code, token)}, status_code=201)


async def room_state(request: Request) -> Response:
    room = _room(request)
    return JSONResponse(await run_in_threadpool(room.state, _token(request)))


async def submit(request: Request) -> Response:
    room = _room(request)
    body = _fields(await _body(request), ("decisions", "round"), "submit")
    if "decisions" not in body:
        raise UserError("submit: send {\"decisions\": [...]} (an empty list means no new decisions)")
    accepted = await run_in_threadpool(room.submit, _token(request), body["decisions"], body.get("round"))
    return JSONResponse({"submitted": accepted, "round": room.state()["round"]})


async def draft(request: Request) -> Response:
    room = _room(request)
    body = _fields(await _body(request), ("decisions", "round"), "draft")
    moves = await run_in_threadpool(room.draft, _token(request), body.get("decisions", []), body.get("round"))
    return JSONResponse({"draft": moves, "round": room.state()["round"]})


async def instructor_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in INSTRUCTOR_ACTIONS:
        raise NotFound(f"there is no room action '{action[:40]}'; expected one of "
                       f"{', '.join(INSTRUCTOR_ACTIONS)}, join, state, submit, scoreboard, rounds, branch, export")
    room = _room(request)
    body = await _body(request)
    call, arguments = _action_arguments(action, body)
    result = await run_in_threadpool(getattr(room, call), _token(request), *arguments)
    return JSONResponse({"ok": True, "result": result, "version": room.state()["version"]})


def _action_arguments(action: str, body: dict) -> tuple[str, tuple]:
    """The Room method and its arguments for an instructor action's JSON body."""
    needed = {"extend": ("seconds",), "broadcast": ("message",), "assign": ("person", "seat"),
              "remove": ("person",), "vacate": ("seat",)}
    if action == "shock":
        return "shock", (body,)
    names = needed.get(action, ())
    _fields(body, names, action)
    missing = [n for n in names if n not in body]
    if missing:
        raise UserError(f"{action}: the body needs '{missing[0]}'")
    return action, tuple(body[n] for n in names)


async def scoreboard(request: Request) -> Response:
    room = _room(request)
    table = await run_in_threadpool(room.scoreboard, _token(request))
    return JSONResponse({"scoreboard": _frame(table)})


async def replay_round(request: Request) -> Response:
    room = _room(request)
    text = request.path_params["k"]
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        raise UserError(f"the round must be a whole number, got '{text[:20]}'")
    session = await run_in_threadpool(room.at_round, _token(request), int(text))
    return JSONResponse(_session_summary(room, session))


def _session_summary(room, session) -> dict:
    return {"month": session.month, "model": _frame(session.result.model),
            "headlines": [{"month": m, "headline": h} for m, h in session.headlines()],
            "scores": {seat: session.score(seat) for seat in room.seats}}


async def branch(request: Request) -> Response:
    room = _room(request)
    body = _fields(await _body(request), ("from_round", "drop", "replace"), "branch")
    token = _token(request)
    session = await run_in_threadpool(room.branch, token, body.get("from_round"), body.get("drop", ()),
                                      body.get("replace"))
    real = await run_in_threadpool(room.at_round, token, room.state()["month"])
    return JSONResponse({"from_round": body.get("from_round"), "real": _session_summary(room, real),
                         "branch": _session_summary(room, session)})


async def export(request: Request) -> Response:
    room = _room(request)
    data = await run_in_threadpool(room.export, _token(request))
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="class-game-{room.code}.zip"'})


async def unknown_path(request: Request) -> Response:
    raise NotFound(f"there is no class-game API at {request.url.path[:80]}; see docs/classroom.md")
