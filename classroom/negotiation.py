"""The class game's negotiating table: who sees which offers, and the export of every offer.

An offer a seat submits shows at once on its partner's screen, before the round is played, so the
partner can answer in the same round; the instructor sees every offer, submitted or made. The offers
the model has made keep their fate (``simulation.negotiation``); the export lists all of them.
"""

from __future__ import annotations

import pandas as pd

PROPOSALS = ("propose_deal", "counter_offer")


def pending_offers(room, seat: str | None = None) -> list:
    """Proposals submitted in the open round, to or from ``seat`` (every one when ``seat`` is None)."""
    with room._lock:
        submitted = [d for s in sorted(room.submissions) for d in room.submissions[s].decisions]
        submitted += [d for d in room.shocks]  # an instructor may put an offer on the table too
    return [d for d in submitted if d.action in PROPOSALS and (seat is None or seat in (d.actor, d.target))]


def offers_table(room) -> pd.DataFrame:
    """Every offer made in the game with its terms and fate (open, accepted, rejected, countered, expired
    or replaced), for the instructor's export."""
    with room._lock:
        return room.session.result.offers.copy()
