"""The decision panel: the moves a seat can make this month, fitted to its role.

It draws from a ``SeatView`` (``simulation/seat_view.py``): the seat's numbers at the end of the last
month and the moves open to it with their bounds. A new month is a new ``SeatView``, so the panel is
redrawn with the current numbers after every step. A government sets tariffs by partner and sector,
holds / threatens / sells / buys Treasuries (if it holds any), and offers deals (answered in the
negotiation panel, ``ui/components/negotiation_panel.py``); a central bank sets its
policy rate and intervenes in the currency market. Numbers are typed as people write them ("1,000",
"100bn", "$1tn", "25%"); each "Add" checks the move at once and shows any mistake beside the control in
plain words. Added moves wait in a list until the month is played. The Play page and the class game
share this panel.
"""

from __future__ import annotations

from typing import Callable

import solara

from simulation.actions import TABLE
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.seat_view import TREASURY_MOVES, SeatView
from simulation.world import CENTRAL_BANKS, ECONOMY_NAMES, FLOATING_CURRENCY
from ui import entry
from ui.components.prose import Prose
from ui.state import describe_move

HOLD = "Hold (do nothing)"
REPATRIATING = ("sell_treasuries", "fima_repo")     # moves whose dollars may be sold for the home currency
CURRENCY_WORDS = {"JPY": "yen", "EUR": "euros", "CNY": "yuan"}   # the model's floating currencies
NOTE_STYLE = {"font-size": "0.85em", "color": "#555"}


# -- which moves the panel offers: the one place that turns a SeatView's moves into controls ----------
def treasury_choices(view: SeatView) -> dict[str, str | None]:
    """The Treasury menu: "Hold" and every Treasury move open to the seat now, in the table's order."""
    return {HOLD: None, **{m.label: m.action for m in view.moves if m.action in TREASURY_MOVES and m.open}}


def move(view: SeatView, action: str, **fields) -> Decision:
    """The decision for ``action`` with the fields the controls gave (its month is set when queued)."""
    return Decision(step=1, actor=view.seat, action=action, **fields)


@solara.component
def DecisionPanel(seat: str, view: SeatView, queued: list[Decision], on_add: Callable[[Decision], None],
                  on_remove: Callable[[int], None], disabled: bool = False, continuous_update: bool = False):
    """Controls for ``seat``'s moves; ``on_add`` may raise ``UserError``, shown inline under the controls.

    ``view`` is the seat's ``SeatView`` (from ``PlaySession.seat_view`` or the class room's ``RoomView``).

    ``continuous_update=True`` commits each number box at every keystroke. A page that redraws on its
    own (the class game follows a shared room) needs it: a redraw puts every box back to its last
    committed value, which would wipe a number being typed.
    """
    error, set_error = solara.use_state("")

    def add(make: Callable[[], Decision]) -> None:
        try:
            decision = make()
            refusal = view.refusal(decision)     # plain words for every page, before the page's own checks
            if refusal:
                raise UserError(refusal)
            on_add(decision)
            set_error("")
        except UserError as problem:
            set_error(str(problem))

    with solara.Card(f"Your moves as {actor_name(seat)} ({seat})", margin=0, classes=["decision-panel"]):
        if view.offers("set_tariff"):
            TariffControls(view, add, disabled, continuous_update)
        if view.offers(*TREASURY_MOVES):
            TreasuryControls(view, add, disabled, continuous_update)
        elif view.kind == "government":
            solara.Text(f"{ECONOMY_NAMES[view.home]} holds no US Treasuries, so it has none to sell or "
                        "threaten with.", classes=["no-treasuries"], style=NOTE_STYLE)
        if view.offers("propose_deal"):
            DealControls(view, add, disabled, continuous_update)
        if view.offers("set_policy_rate"):
            CentralBankControls(view, add, disabled, continuous_update)
        if error:
            solara.Error(error, classes=["move-error"])
        QueuedMoves(queued, on_remove)


def NumberBox(label: str, text: str, on_text, disabled: bool, continuous_update: bool, classes=()):
    """A text box for a number (so "1,000" and "100bn" reach the panel as typed, not as a stale value)."""
    return solara.InputText(label=label, value=text, on_value=on_text, disabled=disabled,
                            continuous_update=continuous_update, classes=list(classes))


def use_field(key, default: str):
    """A box's text that starts again from ``default`` whenever ``key`` changes (another partner, another
    sector, a new month), so the box shows the number that applies to the current choice."""
    state, set_state = solara.use_state((key, default))
    text = state[1] if state[0] == key else default
    return text, lambda value: set_state((key, value))


@solara.component
def TariffControls(view: SeatView, add, disabled: bool, continuous_update: bool = False):
    option = view.move("set_tariff")
    partners = list(option.targets)
    partner, set_partner = solara.use_state(partners[0] if view.seat != "US" else "JP")
    sector, set_sector = solara.use_state("all")
    now_pct = view.tariff_pct(partner, sector)
    rate, set_rate = use_field((partner, sector, view.month), entry.shown(round(now_pct, 1)))
    Prose("**Tariffs** on what you import")
    with solara.Row(classes=["move-row"]):
        solara.Select(label="Partner", values=partners, value=partner, on_value=set_partner, disabled=disabled)
        solara.Select(label="Sector", values=list(option.sectors), value=sector, on_value=set_sector,
                      disabled=disabled)
        NumberBox("Tariff (%)", rate, set_rate, disabled, continuous_update, ["tariff-box"])
    goods = "goods (average)" if sector == "all" else sector
    solara.Text(f"Now: {now_pct:.1f}% on {ECONOMY_NAMES[partner]}'s {goods}", classes=["tariff-now"],
                style=NOTE_STYLE)
    solara.Button("Add tariff", disabled=disabled, outlined=True,
                  on_click=lambda: add(lambda: move(view, "set_tariff", target=partner,
                                                    rate_pct=entry.percent(rate, "Tariff (%)"),
                                                    sector=None if sector == "all" else sector)))


@solara.component
def TreasuryControls(view: SeatView, add, disabled: bool, continuous_update: bool = False):
    choices = treasury_choices(view)
    choice, set_choice = solara.use_state(HOLD)
    if choice not in choices:
        choice = HOLD
    amount, set_amount = solara.use_state("100")
    home, set_home = solara.use_state(False)
    action = choices[choice]
    Prose("**US Treasuries**")
    with solara.Row(classes=["move-row"]):
        solara.Select(label="Treasury move", values=list(choices), value=choice, on_value=set_choice,
                      disabled=disabled)
        if action not in (None, "retract_threat"):
            NumberBox("Amount (USD bn)", amount, set_amount, disabled, continuous_update, ["amount-box"])
    if action in REPATRIATING and view.home in FLOATING_CURRENCY:
        solara.Checkbox(label=f"Bring the dollars home (sell them for {CURRENCY_WORDS[FLOATING_CURRENCY[view.home]]})",
                        value=home, on_value=set_home, disabled=disabled)
    threat = "" if not view.threat_bn else f" Standing threat: ${view.threat_bn:,.0f}bn."
    repo = "" if not view.repo_bn else f" Owed to the Fed's repo facility: ${view.repo_bn:,.0f}bn."
    hint = " (negative repays)" if action == "fima_repo" else ""
    solara.Text(f"You hold ${view.holdings_bn:,.0f}bn (face value).{threat}{repo}{hint}", classes=["holdings-now"],
                style=NOTE_STYLE)
    if action is not None:
        solara.Button("Add Treasury move", disabled=disabled, outlined=True,
                      on_click=lambda: add(lambda: treasury_move(view, action, amount, home)))


def treasury_move(view: SeatView, action: str, amount: str, home: bool) -> Decision:
    """The Treasury decision the controls describe (the amount as typed; home: convert the dollars)."""
    if action == "retract_threat":
        return move(view, action)
    amount_bn = entry.amount_bn(amount, "Amount (USD bn)")
    repatriate = True if home and action in REPATRIATING and view.home in FLOATING_CURRENCY and amount_bn > 0 else None
    return move(view, action, amount_bn=amount_bn, repatriate=repatriate)


@solara.component
def DealControls(view: SeatView, add, disabled: bool, continuous_update: bool = False):
    """An offer to a partner (the action table's ``propose_deal``); it takes effect only if accepted."""
    option, action = view.move("propose_deal"), TABLE["propose_deal"]
    partners = list(option.targets)
    partner, set_partner = solara.use_state(partners[0])
    cap, set_cap = solara.use_state(entry.shown(action.spec("rate_pct").default))
    months, set_months = solara.use_state(entry.shown(action.spec("hold_months").default))
    Prose(f"**{action.label}** ({action.help[:1].lower() + action.help[1:-1]})")
    with solara.Row(classes=["move-row"]):
        solara.Select(label="Deal partner", values=partners, value=partner, on_value=set_partner, disabled=disabled)
        NumberBox(action.spec("rate_pct").label, cap, set_cap, disabled, continuous_update)
        NumberBox(action.spec("hold_months").label, months, set_months, disabled, continuous_update)
    solara.Button("Add offer", disabled=disabled, outlined=True,
                  on_click=lambda: add(lambda: move(view, "propose_deal", target=partner,
                                                    rate_pct=entry.percent(cap, "Tariff cap (%)"),
                                                    hold_months=_months(months) or None)))


def _months(text: str) -> int:
    """Whole months from a box, or a sentence saying what is wrong."""
    value = entry.percent(text, "Hold pledge (months)") if str(text).strip() else 0.0  # a plain number
    if not float(value).is_integer():
        raise UserError(f"'Hold pledge (months)' must be a whole number of months, got {text.strip()}")
    return int(value)


@solara.component
def CentralBankControls(view: SeatView, add, disabled: bool, continuous_update: bool = False):
    current = view.policy_rate_pct
    rate, set_rate = use_field(view.month, entry.shown(current))
    amount, set_amount = solara.use_state("20")
    Prose("**Policy rate**")
    with solara.Row(classes=["move-row"]):
        NumberBox("Policy rate (%)", rate, set_rate, disabled, continuous_update)
        solara.Button("Set rate", disabled=disabled, outlined=True,
                      on_click=lambda: add(lambda: move(view, "set_policy_rate",
                                                        rate_pct=entry.percent(rate, "Policy rate (%)"))))
    solara.Text(f"Now: {current:.2f}%", classes=["rate-now"], style=NOTE_STYLE)
    if view.offers("fx_intervention"):
        Prose("**Currency intervention** (positive sells dollars and buys your currency)")
        with solara.Row(classes=["move-row"]):
            NumberBox("Intervention (USD bn)", amount, set_amount, disabled, continuous_update)
            solara.Button("Add intervention", disabled=disabled, outlined=True,
                          on_click=lambda: add(lambda: move(view, "fx_intervention",
                                                            amount_bn=entry.amount_bn(amount, "Intervention (USD bn)"))))
        solara.Text(f"Acts for {ECONOMY_NAMES[CENTRAL_BANKS[view.seat]]}.", style=NOTE_STYLE)


@solara.component
def QueuedMoves(queued: list[Decision], on_remove: Callable[[int], None]):
    if not queued:
        solara.Text("No moves queued: next month your policies stay as they are.", classes=["queued-none"])
        return
    Prose("**Queued for next month**")
    for i, decision in enumerate(queued):
        with solara.Row(classes=["queued-move"]):
            solara.Text(describe_move(decision))
            solara.Button("Remove", text=True, small=True, on_click=lambda i=i: on_remove(i))
