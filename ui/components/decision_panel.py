"""The decision panel: the moves a seat can make this month, fitted to its role.

A government sets tariffs by partner and sector, holds / threatens / sells / buys Treasuries, and offers
deals (answered in the negotiation panel); a central bank sets its policy rate and intervenes in the currency market. Each "Add" checks the
move at once and shows any mistake beside the control; added moves wait in a list until the month is
played. The single-player Play page and the class game use this same panel.
"""

from __future__ import annotations

from typing import Callable

import solara

from ui.components.prose import Prose

from simulation.actions import TABLE, actions_in
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.session import seat_kind
from simulation.world import CENTRAL_BANKS, ECONOMIES, ECONOMY_NAMES, SECTORS

HOLD = "Hold (do nothing)"


def treasury_choices(kind: str) -> dict[str, str | None]:
    """The Treasury moves a seat of ``kind`` may make, labelled as the action table labels them."""
    return {HOLD: None, **{a.label: a.name for a in actions_in("treasuries", kind)}}


@solara.component
def DecisionPanel(seat: str, model, queued: list[Decision], on_add: Callable[[Decision], None],
                  on_remove: Callable[[int], None], disabled: bool = False, continuous_update: bool = False):
    """Controls for ``seat``'s moves; ``on_add`` may raise ``UserError``, shown inline under the controls.

    ``continuous_update=True`` commits each number box at every keystroke. A page that redraws on its
    own (the class game follows a shared room) needs it: a redraw puts every box back to its last
    committed value, which would wipe a number being typed.
    """
    error, set_error = solara.use_state("")

    def add(decision: Decision) -> None:
        try:
            on_add(decision)
            set_error("")
        except UserError as problem:
            set_error(str(problem))

    with solara.Card(f"Your moves as {actor_name(seat)} ({seat})", margin=0, classes=["decision-panel"]):
        if seat_kind(seat) == "government":
            TariffControls(seat, model, add, disabled, continuous_update)
            TreasuryControls(seat, model, add, disabled, continuous_update)
            DealControls(seat, add, disabled, continuous_update)
        else:
            CentralBankControls(seat, model, add, disabled, continuous_update)
        if error:
            solara.Error(error, classes=["move-error"])
        QueuedMoves(queued, on_remove)


@solara.component
def TariffControls(seat: str, model, add, disabled: bool, continuous_update: bool = False):
    partners = [e for e in ECONOMIES if e != seat]
    partner, set_partner = solara.use_state(partners[0] if seat != "US" else "JP")
    sector, set_sector = solara.use_state("all")
    current = model.trade.tariff_on(seat, partner)
    shown = current.mean() if sector == "all" else current[SECTORS.index(sector)]
    rate, set_rate = solara.use_state(round(float(shown), 1))
    Prose("**Tariffs** on what you import")
    with solara.Row():
        solara.Select(label="Partner", values=partners, value=partner, on_value=set_partner, disabled=disabled)
        solara.Select(label="Sector", values=["all", *SECTORS], value=sector, on_value=set_sector, disabled=disabled)
        solara.InputFloat(label="Tariff (%)", value=rate, on_value=set_rate, disabled=disabled,
                          continuous_update=continuous_update)
    solara.Text(f"Now: {shown:.1f}% on {ECONOMY_NAMES[partner]}'s {sector if sector != 'all' else 'goods (average)'}",
                style={"font-size": "0.85em", "color": "#555"})
    solara.Button("Add tariff", disabled=disabled, outlined=True,
                  on_click=lambda: add(Decision(step=1, actor=seat, action="set_tariff", target=partner,
                                                rate_pct=_number(rate, "Tariff (%)"),
                                                sector=None if sector == "all" else sector)))


@solara.component
def TreasuryControls(seat: str, model, add, disabled: bool, continuous_update: bool = False):
    choices = treasury_choices(seat_kind(seat))
    choice, set_choice = solara.use_state(HOLD)
    amount, set_amount = solara.use_state(100.0)
    held = model.ledger.holdings_bn.get(seat, 0.0)
    action = TABLE.get(choices.get(choice) or "")
    takes_amount = action is not None and action.spec("amount_bn") is not None
    Prose("**US Treasuries**")
    with solara.Row():
        solara.Select(label="Treasury move", values=list(choices), value=choice, on_value=set_choice,
                      disabled=disabled)
        if takes_amount:
            solara.InputFloat(label=action.spec("amount_bn").label, value=amount, on_value=set_amount,
                              disabled=disabled, continuous_update=continuous_update)
    solara.Text(f"You hold ${held:,.0f}bn (face value)." + (f" {action.help}" if action else ""),
                style={"font-size": "0.85em", "color": "#555"})
    if action is not None:
        solara.Button("Add Treasury move", disabled=disabled, outlined=True,
                      on_click=lambda: add(Decision(step=1, actor=seat, action=action.name,
                                                    amount_bn=_number(amount, "Amount (USD bn)")
                                                    if takes_amount else None)))


@solara.component
def DealControls(seat: str, add, disabled: bool, continuous_update: bool = False):
    """A proposal to a partner; it takes effect only if the partner accepts (see the negotiation panel)."""
    action = TABLE["propose_deal"]
    partners = [e for e in ECONOMIES if e not in (seat, "ROW")]
    partner, set_partner = solara.use_state(partners[0])
    cap, set_cap = solara.use_state(float(action.spec("rate_pct").default))
    months, set_months = solara.use_state(float(action.spec("hold_months").default))
    Prose(f"**{action.label}** ({action.help[:1].lower() + action.help[1:-1]})")
    with solara.Row():
        solara.Select(label="Deal partner", values=partners, value=partner, on_value=set_partner, disabled=disabled)
        solara.InputFloat(label=action.spec("rate_pct").label, value=cap, on_value=set_cap, disabled=disabled,
                          continuous_update=continuous_update)
        solara.InputFloat(label=action.spec("hold_months").label, value=months, on_value=set_months,
                          disabled=disabled, continuous_update=continuous_update)
    solara.Button("Add offer", disabled=disabled, outlined=True,
                  on_click=lambda: add(Decision(step=1, actor=seat, action="propose_deal", target=partner,
                                                rate_pct=_number(cap, "Tariff cap (%)"),
                                                hold_months=_months(months, "Hold pledge (months)") or None)))


@solara.component
def CentralBankControls(seat: str, model, add, disabled: bool, continuous_update: bool = False):
    current = float(model.central_banks[seat].policy_rate_pct)
    rate, set_rate = solara.use_state(current)
    amount, set_amount = solara.use_state(20.0)
    Prose("**Policy rate**")
    with solara.Row():
        solara.InputFloat(label="Policy rate (%)", value=rate, on_value=set_rate, disabled=disabled,
                          continuous_update=continuous_update)
        solara.Button("Set rate", disabled=disabled, outlined=True,
                      on_click=lambda: add(Decision(step=1, actor=seat, action="set_policy_rate",
                                                    rate_pct=_number(rate, "Policy rate (%)"))))
    solara.Text(f"Now: {current:.2f}%", style={"font-size": "0.85em", "color": "#555"})
    if seat != "FED":
        home = CENTRAL_BANKS[seat]
        Prose("**Currency intervention** (positive sells dollars and buys your currency)")
        with solara.Row():
            solara.InputFloat(label="Intervention (USD bn)", value=amount, on_value=set_amount, disabled=disabled,
                              continuous_update=continuous_update)
            solara.Button("Add intervention", disabled=disabled, outlined=True,
                          on_click=lambda: add(Decision(step=1, actor=seat, action="fx_intervention",
                                                        amount_bn=_number(amount, "Intervention (USD bn)"))))
        solara.Text(f"Acts for {ECONOMY_NAMES[home]}.", style={"font-size": "0.85em", "color": "#555"})


@solara.component
def QueuedMoves(queued: list[Decision], on_remove: Callable[[int], None]):
    from ui.state import describe_move

    if not queued:
        solara.Text("No moves queued: next month your policies stay as they are.", classes=["queued-none"])
        return
    Prose("**Queued for next month**")
    for i, decision in enumerate(queued):
        with solara.Row(classes=["queued-move"]):
            solara.Text(describe_move(decision))
            solara.Button("Remove", text=True, small=True, on_click=lambda i=i: on_remove(i))


def _months(value, label: str) -> int:
    """A whole number of months from a number box, or a sentence saying what is wrong."""
    number = _number(value, label)
    if not number.is_integer():
        raise UserError(f"'{label}' must be a whole number of months, got {number:g}")
    return int(number)


def _number(value, label: str) -> float:
    """A control's number, or a sentence saying the box is empty or not a number."""
    if value is None:
        raise UserError(f"'{label}' is empty; type a number")
    return float(value)
