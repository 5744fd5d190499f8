"""A room's log: every change is written as an event first, then applied by the same handler live and
on replay (``Room.from_log``), so a restarted server gets back the very same room (``Room``'s log part).
"""

from __future__ import annotations

from classroom import records
from classroom.records import CAPPED_KINDS, decode, Draft, FINISHED, Person, PLAYING, Submission, Timer
from classroom.resolution import play_month
from classroom.store import Event
from simulation.errors import UserError


class EventLog:
    # -- applying events (live and replay) -------------------------------------------------------
    def _record(self, kind: str, data: dict, stepped: bool = False) -> None:
        """Write the event to the log first, then apply it: nothing counts until it is on disk."""
        if self.store is None:
            raise UserError(f"room {self.code} is a read-only copy and cannot be changed")
        if kind in CAPPED_KINDS and self._events >= records.MAX_EVENTS:
            raise UserError(f"room {self.code} has reached its limit of {records.MAX_EVENTS} logged events; the "
                            "instructor can still end the rounds and export the game, but nothing new is added")
        event = self.store.append(self.code, kind, data, at=self.clock())
        self._apply(event, stepped)

    def _apply(self, event: Event, stepped: bool = False) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is None:
            raise UserError(f"room {self.code}: the log holds an unknown event '{event.kind}'")
        if event.kind == "resolved":
            handler(event, stepped)
        else:
            handler(event)
        self._events += 1
        with self._changed:             # wakes the pages waiting in ``wait_for_change``
            self.version += 1
            self._changed.notify_all()

    def _on_joined(self, event: Event) -> None:
        d = event.data
        self.people[d["person"]] = Person(d["person"], d["name"], d["seat"], d["token_sha256"], event.at)
        self._by_hash[d["token_sha256"]] = d["person"]
        self._remember_seat(d["person"], d["seat"])

    def _remember_seat(self, person: str, seat: str) -> None:
        sitters = self.seated.setdefault(seat, [])
        if person not in sitters:
            sitters.append(person)

    def _on_assigned(self, event: Event) -> None:
        self.people[event.data["person"]].seat = event.data["seat"]
        self._remember_seat(event.data["person"], event.data["seat"])

    def _on_removed(self, event: Event) -> None:
        person = self.people[event.data["person"]]
        person.removed, person.seat = True, None
        self._by_hash.pop(person.token_sha256, None)
        self._removed.add(person.token_sha256)

    def _on_vacated(self, event: Event) -> None:
        for person in self.players(event.data["seat"]):
            person.seat = None

    def _on_started(self, event: Event) -> None:
        self.status = PLAYING
        self._open_round(event.at)

    def _on_submitted(self, event: Event) -> None:
        d = event.data
        decisions = tuple(decode(r) for r in d["decisions"])
        self.submissions[d["seat"]] = Submission(d["seat"], d["person"], decisions, event.at)
        self.drafts[d["seat"]] = Draft(d["seat"], d["person"], decisions, event.at)   # the draft is what was sent

    def _on_drafted(self, event: Event) -> None:
        d = event.data
        self.drafts[d["seat"]] = Draft(d["seat"], d["person"], tuple(decode(r) for r in d["decisions"]), event.at)

    def _on_restored(self, event: Event) -> None:
        """Back from the archive: nothing in the game changes."""

    def _on_paused(self, event: Event) -> None:
        self.timer = Timer(None, True, self.timer.seconds_left(event.at))

    def _on_resumed(self, event: Event) -> None:
        self.timer = Timer(event.at + (self.timer.paused_left or 0.0), False, None)

    def _on_extended(self, event: Event) -> None:
        seconds = event.data["seconds"]
        if self.timer.paused:
            self.timer.paused_left = (self.timer.paused_left or 0.0) + seconds
        elif self.timer.deadline is not None:
            self.timer.deadline = max(self.timer.deadline, event.at) + seconds

    def _on_broadcast(self, event: Event) -> None:
        self.broadcasts.append({"at": event.at, "message": event.data["message"]})

    def _on_shock(self, event: Event) -> None:
        self.shocks.append(decode(event.data["decision"]))

    def _on_resolved(self, event: Event, stepped: bool) -> None:
        d = event.data
        if not stepped:   # replaying the log: the same step as the live round took
            parts = [(seat, [decode(r) for r in d["decisions"].get(seat, [])]) for seat in self.seats]
            play_month(self.session, parts, [decode(r) for r in d["shocks"]])
        self.history.append({**d, "at": event.at})
        from classroom.debrief import seat_scores

        self.round_scores.append(seat_scores(self.session, self.seats))
        self.submissions.clear()
        self.drafts.clear()
        self.shocks = []
        if self.session.finished:
            self.status, self.timer = FINISHED, Timer()
        else:
            self._open_round(event.at)

    def _open_round(self, at: float) -> None:
        if self.timer.paused:
            self.timer = Timer(None, True, float(self.round_seconds))
        else:
            self.timer = Timer(at + self.round_seconds, False, None)

