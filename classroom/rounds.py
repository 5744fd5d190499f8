"""A room's rounds: start, submissions and the team's draft, the clock (pause, resume, more time),
instructor news and messages, and resolving a round when everyone has submitted, the time is up or
the instructor says so (``Room``'s round life cycle).
"""

from __future__ import annotations

from dataclasses import asdict

from classroom.errors import Forbidden, RateLimited, Stale
from classroom.records import (encode, FINISHED, LOBBY, MAX_DECISIONS, MAX_HEADLINE, MAX_MESSAGE, Person,
                               PLAYING, public_decision, _check_numbers, _clean_text, _whole_number)
from classroom.resolution import resolve_month
from simulation.decisions import FIELDS, Decision, check, from_mapping
from simulation.errors import DecisionError, UserError


class Rounds:
    # -- rounds ----------------------------------------------------------------------------------
    @property
    def round(self) -> int:
        """The round open now (round r resolves month r); the last round once the game is over."""
        return min(self.session.month + 1, self.steps)

    def start(self, token) -> None:
        """Instructor: open round 1 and start its timer."""
        with self._lock:
            self._instructor(token)
            if self.status != LOBBY:
                raise UserError(f"room {self.code}: the game has already started")
            self._record("started", {})
            self._resolve_if_ready()

    def submit(self, token, decisions, round_number: int | None = None) -> list[dict]:
        """A seat's decisions for this round (a list of dicts or Decisions; empty = do nothing new).

        Any member of the seat's team may submit; a later submission replaces the earlier one. A page
        passes the ``round_number`` it showed, so that a click that arrives just after the round
        resolved is refused instead of landing silently in the next round.
        """
        with self._lock:
            person = self._seated(token)
            self._require_playing()
            if round_number is not None and round_number != self.round:
                raise Stale(f"round {round_number!r} is over; round {self.round} is open now: "
                            "check the new situation and submit again")
            parsed = self._parse_decisions(decisions, person.seat)
            self._count_submission(person)
            self._record("submitted", {"person": person.id, "seat": person.seat, "round": self.round,
                                       "decisions": [encode(d) for d in parsed]})
            self._resolve_if_ready()
            return [public_decision(d) for d in parsed]

    def draft(self, token, decisions, round_number: int | None = None) -> list[dict]:
        """Replace the seat's shared draft for this round (a teammate's page shows it at once, with who
        changed it). Checked like a submission, so a mistake is told where it was made."""
        with self._lock:
            person = self._seated(token)
            self._require_playing()
            if round_number is not None and round_number != self.round:
                raise Stale(f"round {round_number!r} is over; round {self.round} is open now")
            parsed = self._parse_decisions(decisions, person.seat)
            if not self._drafts_by_person.allow(person.id, self.clock()):
                raise RateLimited(f"room {self.code}: you changed the draft too often in the last minute; "
                                  "wait a moment")
            self._record("drafted", {"person": person.id, "seat": person.seat, "round": self.round,
                                     "decisions": [encode(d) for d in parsed]})
            return [public_decision(d) for d in parsed]

    def _count_submission(self, person: Person) -> None:
        now = self.clock()
        if not self._submits_by_person.allow(person.id, now):
            raise RateLimited(f"room {self.code}: you have submitted too often in the last minute; your last "
                              "submission stands, wait a moment before changing it again")
        if not self._submits_by_seat.allow(person.seat, now):
            raise RateLimited(f"room {self.code}: your team has submitted too often in the last minute; the "
                              "last submission stands, wait a moment before changing it again")

    def mark_restored(self) -> None:
        """Write that the room came back from the archive (so it is not archived again at once)."""
        with self._lock:
            self._record("restored", {})

    def _require_playing(self) -> None:
        if self.status == LOBBY:
            raise UserError(f"room {self.code}: the game has not started yet; wait for the instructor")
        if self.status == FINISHED:
            raise UserError(f"room {self.code}: the game is over; all {self.steps} rounds have been played")

    def _parse_decisions(self, decisions, seat: str) -> list[Decision]:
        if not isinstance(decisions, (list, tuple)):
            raise UserError(f"decisions must be a list (one entry per decision), got {type(decisions).__name__}")
        if len(decisions) > MAX_DECISIONS:
            raise UserError(f"at most {MAX_DECISIONS} decisions a round, got {len(decisions)}")
        return [self._parse_decision(d, seat, number) for number, d in enumerate(decisions, start=1)]

    def _parse_decision(self, given, seat: str, number: int) -> Decision:
        where = f"decision {number} of round {self.round}"
        if isinstance(given, Decision):
            given = {k: v for k, v in asdict(given).items() if k in FIELDS and v is not None}
            given.pop("step", None)
        if not isinstance(given, dict):
            raise UserError(f"{where}: expected an object with an action and its fields, got {type(given).__name__}")
        _check_numbers(given, where)
        actor = given.get("actor", seat)
        if actor != seat:
            raise Forbidden(f"{where}: your seat is {seat}; you cannot decide for '{actor}'")
        if given.get("step", self.round) != self.round:
            raise UserError(f"{where}: decisions are for the round open now ({self.round}), not {given['step']!r}")
        decision = from_mapping({**given, "step": self.round, "actor": seat}, where, origin="player")
        self.session.check_decision(decision)
        return decision

    def pause(self, token) -> None:
        with self._lock:
            self._instructor(token)
            self._require_playing()
            if self.timer.paused:
                raise UserError(f"room {self.code}: the game is already paused")
            self._record("paused", {})

    def resume(self, token) -> None:
        with self._lock:
            self._instructor(token)
            self._require_playing()
            if not self.timer.paused:
                raise UserError(f"room {self.code}: the game is not paused")
            self._record("resumed", {})
            self._resolve_if_ready()

    def extend(self, token, seconds) -> None:
        """Instructor: give the open round ``seconds`` more (1 to 3600)."""
        with self._lock:
            self._instructor(token)
            self._require_playing()
            self._record("extended", {"seconds": _whole_number(seconds, "seconds", 1, 3600)})

    def advance(self, token) -> None:
        """Instructor: resolve the open round now; seats that have not submitted take their default move."""
        with self._lock:
            self._instructor(token)
            self._require_playing()
            self._resolve("instructor")

    def broadcast(self, token, message: str) -> None:
        with self._lock:
            self._instructor(token)
            self._record("broadcast", {"message": _clean_text(message, "message", MAX_MESSAGE)})

    def shock(self, token, decision) -> dict:
        """Instructor: breaking news, a decision for any actor with a headline, applied when this round
        resolves (``{"actor": "CN", "action": "sell_treasuries", "amount_bn": 200, "headline": "..."}``)."""
        with self._lock:
            self._instructor(token)
            if self.status == FINISHED:
                raise UserError(f"room {self.code}: the game is over; there is no round left for news")
            parsed = self._parse_shock(decision)
            self._record("shock", {"round": self.round, "decision": encode(parsed)})
            return public_decision(parsed)

    def _parse_shock(self, given) -> Decision:
        where = f"breaking news for round {self.round}"
        if isinstance(given, Decision):
            given = {k: v for k, v in asdict(given).items() if k in FIELDS + ("note",) and v not in (None, "")}
        if not isinstance(given, dict):
            raise UserError(f"{where}: expected an object with actor, action, its fields and a headline")
        _check_numbers(given, where)
        headline = given.get("headline", given.get("note", ""))
        headline = _clean_text(headline, "headline", MAX_HEADLINE)
        fields = {k: v for k, v in given.items() if k not in ("headline", "note", "step")}
        decision = from_mapping({**fields, "step": self.round, "headline": headline}, where, origin="scenario")
        try:
            check(decision, self.steps)
        except DecisionError as error:
            raise UserError(str(error)) from None
        return decision

    def tick(self, now: float | None = None) -> bool:
        """Resolve the open round if its time is up or every occupied seat has submitted (the ticker
        calls this; it also finishes a round whose deadline passed while the server was down)."""
        with self._lock:
            if self.status != PLAYING or self.timer.paused:
                return False
            now = self.clock() if now is None else now
            if self.timer.deadline is not None and now >= self.timer.deadline:
                self._resolve("timer")
                return True
            return self._resolve_if_ready()

    def _all_submitted(self) -> bool:
        occupied = self.occupied_seats()
        return bool(occupied) and all(seat in self.submissions for seat in occupied)

    def _resolve_if_ready(self) -> bool:
        if self.status == PLAYING and not self.timer.paused and self._all_submitted():
            self._resolve("all submitted")
            return True
        return False

    def _resolve(self, reason: str) -> None:
        """Play the month: every submission and shock the model accepts; the rest are refused with the
        model's reason, written in the log so that a replay applies exactly the same decisions."""
        round_number = self.round
        parts = [(s, list(self.submissions[s].decisions)) for s in self.seats if s in self.submissions]
        kept, refused, kept_shocks, refused_shocks = resolve_month(self.session, parts, list(self.shocks))
        data = {"round": round_number, "reason": reason,
                "decisions": {seat: [encode(d) for d in ds] for seat, ds in kept},
                "submitted_by": {s: self.submissions[s].person for s, _ in parts},
                "refused": {seat: {"reason": why, "decisions": [encode(d) for d in dict(parts)[seat]]}
                            for seat, why in refused.items()},
                "shocks": [encode(d) for d in kept_shocks],
                "refused_shocks": [{"decision": encode(d), "reason": why} for d, why in refused_shocks]}
        try:
            self._record("resolved", data, stepped=True)
        except BaseException:
            self.session.undo()
            raise

