"""What pages and the API read from a room: its state for each kind of reader, the frozen tables and
view the pages draw from, and the instructor's debrief (``Room``'s read part). Every read is taken under
the room's lock.
"""

from __future__ import annotations

import copy

from classroom.records import INSTRUCTOR, Person, public_decision, SHOWN_HEADLINES, Tables, _plain
from simulation.decisions import Decision
from simulation.session import PlaySession, actions_for, seat_kind


class Reads:
    # -- reading ---------------------------------------------------------------------------------
    def state(self, token: str | None = None) -> dict:
        """What a page shows: the public state, plus a seat's private part for a seat token, or the
        instructor's view for the instructor token. Without a token: the public state only."""
        with self._lock:
            who = None if token is None else self.identify(token)
            state = copy.deepcopy(self._public_state())
            state["seconds_left"] = self.timer.seconds_left(self.clock())
            if who == INSTRUCTOR:
                state["instructor"] = self._instructor_view()
            elif isinstance(who, Person):
                state["you"] = self._seat_view(who)
            return state

    def _public_state(self) -> dict:
        """Everything anyone in the room may see, rebuilt only when the room's version changes."""
        if self._public is None or self._public[0] != self.version:
            self._public = (self.version, self._build_public_state())
        return self._public[1]

    def _build_public_state(self) -> dict:
        latest = self.session.result.model.iloc[-1]
        return {
            "code": self.code, "scenario": self.loaded.id, "title": self.loaded.title,
            "status": self.status, "round": self.round, "rounds": self.steps, "month": self.session.month,
            "date": str(latest["date"]), "paused": self.timer.paused, "deadline": self.timer.deadline,
            "paused_left": self.timer.paused_left,
            "round_seconds": self.round_seconds, "version": self.version,
            "seats": [{"seat": s, "kind": seat_kind(s), "players": [p.name for p in self.players(s)],
                       "submitted": s in self.submissions} for s in self.seats],
            "waiting": [p.name for p in self.people.values() if p.seat is None and not p.removed],
            "broadcasts": list(self.broadcasts),
            "headlines": [{"month": m, "headline": h} for m, h in self.session.headlines()[:SHOWN_HEADLINES]],
            "markets": {k: _plain(v) for k, v in latest.items()},
        }

    def _seat_view(self, person: Person) -> dict:
        view = {"id": person.id, "name": person.name, "seat": person.seat}
        if person.seat is None:
            return view
        seat, role = person.seat, self.loaded.roles.get(person.seat)
        mine = self.submissions.get(seat)
        draft = self.drafts.get(seat)
        last = self.history[-1] if self.history else {}
        return {**view, "kind": seat_kind(seat), "actions": actions_for(seat),
                "team": [p.name for p in self.players(seat)],
                "brief": role.brief if role else "",
                "objectives": self.session.model.seat_weights(seat),
                "submission": None if mine is None else [public_decision(d) for d in mine.decisions],
                "submitted_by": None if mine is None else self.people[mine.person].name,
                "draft": [] if draft is None else [public_decision(d) for d in draft.decisions],
                "draft_by": None if draft is None else self.people[draft.person].name,
                "score": self.session.score(seat), "score_parts": self.session.score_parts(seat),
                "refused": last.get("refused", {}).get(seat, {}).get("reason")}

    def _instructor_view(self) -> dict:
        return {
            "people": [{"id": p.id, "name": p.name, "seat": p.seat, "joined_at": p.joined_at}
                       for p in self.people.values() if not p.removed],
            "submissions": {s: {"by": self.people[sub.person].name, "at": sub.at,
                                "decisions": [public_decision(d) for d in sub.decisions]}
                            for s, sub in self.submissions.items()},
            "pending_shocks": [public_decision(d) for d in self.shocks],
            "refused": {s: r["reason"] for s, r in (self.history[-1]["refused"] if self.history else {}).items()},
        }

    def timing(self) -> dict:
        """The round clock and the game's status, read together under the lock (what a page's timer
        shows): status, round, rounds, month, paused, deadline, paused_left, seconds_left."""
        with self._lock:
            timer = self.timer
            return {"status": self.status, "round": self.round, "rounds": self.steps, "month": self.session.month,
                    "paused": timer.paused, "deadline": timer.deadline, "paused_left": timer.paused_left,
                    "seconds_left": timer.seconds_left(self.clock())}

    def wait_for_change(self, seen: int, timeout_s: float) -> int:
        """The room's version as soon as it differs from ``seen`` (or after ``timeout_s``). A page waits
        here instead of polling, so a played round reaches every page at once rather than up to a
        polling interval later."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout_s)
            return self.version

    def messages(self) -> list[dict]:
        """The instructor's broadcasts so far (a copy, taken under the lock)."""
        with self._lock:
            return list(self.broadcasts)

    def result(self) -> "Tables":
        """The game so far as tables (model, economies, trade, events, drivers, network): public market data.

        The tables are built under the room's lock and never change afterwards, so a page may read
        them while the ticker plays the next month (the session's own result reads the live model).
        """
        with self._lock:
            if self._tables is None or self._tables.month != self.session.month:
                live = self.session.result
                self._tables = Tables(self.session.month, live.model.copy(), live.economies.copy(),
                                      live.trade.copy(), live.events.copy(), live.drivers.copy(),
                                      live.network.copy())
            return self._tables

    def view(self):
        """A read-only snapshot of the game for the pages (``classroom.view.RoomView``), made under the
        lock once per month: the panels draw from it while the ticker plays the next month."""
        from classroom.view import room_view

        with self._lock:
            if self._view is None or self._view.month != self.session.month:
                self._view = room_view(self)
            return self._view

    def why(self, month: int, market: str):
        """A market's move in ``month`` split by cause (the "why" panel)."""
        with self._lock:
            return self.session.why(month, market)

    # -- debrief (instructor) ---------------------------------------------------------------------
    def at_round(self, token, k: int) -> PlaySession:
        """Instructor: the game as it stood after round ``k`` (0 = before the first round)."""
        from classroom.debrief import session_at

        with self._lock:
            self._instructor(token)
            return session_at(self, k)

    def branch(self, token, from_round: int, drop=(), replace=None) -> PlaySession:
        """Instructor: the counterfactual in which the seats in ``drop`` took no decisions from
        ``from_round`` on, and the seats in ``replace`` took the given ones instead, played to the
        same month as the real game."""
        from classroom.debrief import counterfactual

        with self._lock:
            self._instructor(token)
            return counterfactual(self, from_round, drop, replace or {})

    def scoreboard(self, token):
        """Instructor: a DataFrame of seats, who played them, score and its four parts."""
        from classroom.debrief import scoreboard

        with self._lock:
            self._instructor(token)
            return scoreboard(self)

    def export(self, token) -> bytes:
        """Instructor: a zip of decisions and outcomes, CSV and Parquet, for grading."""
        from classroom.debrief import export_zip

        with self._lock:
            self._instructor(token)
            return export_zip(self)

    def log(self) -> list[Decision]:
        """Every decision applied so far (players' and instructor shocks), in order."""
        with self._lock:
            return list(self.session.log)

