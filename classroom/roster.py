"""Who is in a room: tokens to people, seats, teams (``Room``'s roster part).

Every method a person calls takes their token first: a seat token acts only for its seat, the
instructor token for the instructor.
"""

from __future__ import annotations

import secrets

from classroom.errors import Forbidden, NotFound, Unauthorized
from classroom.records import FINISHED, INSTRUCTOR, MAX_NAME, new_token, Person, token_hash, _clean_text
from simulation.errors import UserError


class Roster:
    # -- who is asking ---------------------------------------------------------------------------
    def identify(self, token: str | None) -> Person | str:
        """The person holding ``token``, or ``INSTRUCTOR``; anyone else is refused."""
        if not token or not isinstance(token, str):
            raise Unauthorized(f"room {self.code}: this needs your token (from your join or instructor link)")
        digest = token_hash(token)
        if secrets.compare_digest(digest, self.instructor_sha256):
            return INSTRUCTOR
        person_id = self._by_hash.get(digest)
        if person_id is None and digest in self._removed:
            raise Unauthorized(f"room {self.code}: the instructor removed you from this room; "
                               "ask them if you should join again")
        if person_id is None:
            raise Unauthorized(f"room {self.code}: this token belongs to nobody in the room; "
                               "use the link you were given when you joined")
        return self.people[person_id]

    def _instructor(self, token) -> None:
        if self.identify(token) != INSTRUCTOR:
            raise Forbidden(f"room {self.code}: only the instructor may do this")

    def _seated(self, token) -> Person:
        who = self.identify(token)
        if who == INSTRUCTOR:
            raise Forbidden(f"room {self.code}: the instructor has no seat; join as a student to play one")
        if who.seat is None:
            raise Forbidden(f"room {self.code}: you have no seat yet; wait for the instructor to give you one")
        return who

    # -- people ----------------------------------------------------------------------------------
    def join(self, name: str, seat: str | None = None) -> tuple[Person, str]:
        """Seat a new person (on ``seat``, or the emptiest open seat); returns them and their token."""
        with self._lock:
            name = _clean_text(name, "name", MAX_NAME)
            if self.status == FINISHED:
                raise UserError(f"room {self.code}: the game is over; there is nothing left to join")
            seat = self._open_seat(seat) if seat not in (None, "") else self._emptiest_seat()
            token = new_token()
            person = f"p{len(self.people) + 1}"
            self._record("joined", {"person": person, "name": name, "seat": seat, "token_sha256": token_hash(token)})
            self._resolve_if_ready()
            return self.people[person], token

    def assign(self, token, person: str, seat: str) -> None:
        """Instructor: put a person on a seat (or move them), making or joining a team."""
        with self._lock:
            self._instructor(token)
            self._person(person)
            self._record("assigned", {"person": person, "seat": self._open_seat(seat)})
            self._resolve_if_ready()

    def remove(self, token, person: str) -> None:
        """Instructor: remove a person; their token stops working."""
        with self._lock:
            self._instructor(token)
            self._person(person)
            self._record("removed", {"person": person})
            self._resolve_if_ready()

    def vacate(self, token, seat: str) -> None:
        """Instructor: empty a seat; its people wait without a seat until given one."""
        with self._lock:
            self._instructor(token)
            self._record("vacated", {"seat": self._open_seat(seat)})
            self._resolve_if_ready()

    def _person(self, person_id: str) -> Person:
        person = self.people.get(person_id) if isinstance(person_id, str) else None
        if person is None or person.removed:
            raise NotFound(f"room {self.code}: there is no person '{person_id}'; "
                           f"people here: {', '.join(self._active_ids()) or 'none'}")
        return person

    def _active_ids(self) -> list[str]:
        return [p.id for p in self.people.values() if not p.removed]

    def _open_seat(self, seat) -> str:
        if seat not in self.seats:
            raise NotFound(f"room {self.code}: '{seat}' is not a seat open to people here; "
                           f"open seats: {', '.join(self.seats)}")
        return seat

    def _emptiest_seat(self) -> str:
        counts = {s: len(self.players(s)) for s in self.seats}
        return min(self.seats, key=lambda s: (counts[s], self.seats.index(s)))

    def players(self, seat: str) -> list[Person]:
        return [p for p in self.people.values() if p.seat == seat and not p.removed]

    def occupied_seats(self) -> list[str]:
        return [s for s in self.seats if self.players(s)]

