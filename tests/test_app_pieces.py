"""The app's pieces that need no browser: links, queued moves, figures and text rendering."""

import re

import plotly.graph_objects as go
import pytest

from simulation.decisions import Decision
from simulation.errors import UserError
from ui import charts
from ui.components.prose import to_html
from ui.state import Game, describe_move, parse_link

THREATEN = Decision(step=0, actor="JP", action="threaten_sale", amount_bn=300)


def test_a_game_link_restores_the_same_game():
    link, warnings = parse_link("?scenario=kato-2025&seats=JP")
    game = Game.from_link(link)
    game.queue(THREATEN)
    game.step()
    game.step()
    again, warnings = parse_link(game.link())
    restored = Game.from_link(again)
    assert warnings == [] and restored.session.month == 2 and restored.session.log == game.session.log
    assert restored.session.result.model.equals(game.session.result.model)


@pytest.mark.parametrize("query, words", [
    ("?scenario=no-such-scenario", "no-such-scenario"),
    ("?scenario=kato-2025&seed=abc&steps=24&v=0.2.0", "'seed' must be a whole number"),
    ("?scenario=kato-2025&seed=1&steps=24&v=0.2.0&d=1,JP,sell_treasuries,amount_bn:-5", "amount_bn"),
    ("?scenario=kato-2025&seed=1&steps=24&v=0.2.0&d=1,JP", "expected 'step,actor,action"),
    ("?scenario=kato-2025&seed=1&steps=24&v=0.2.0&seats=JP,US", "one seat"),
    ("?scenario=kato-2025&seed=1&steps=24&v=0.2.0&month=99", "'month' must be from 0 (the last decision) to 24"),
    ("?scenario=kato-2025&seats=XX", "unknown seat 'XX'"),
])
def test_a_bad_link_is_one_sentence_naming_the_fault(query, words):
    with pytest.raises(UserError, match=re.escape(words)) as error:
        link, _ = parse_link(query)
        Game.from_link(link)
    assert "\n" not in str(error.value)


def test_an_old_link_opens_with_a_warning():
    link, warnings = parse_link("?scenario=kato-2025&seed=1&steps=24&v=0.0.1&sha=ffffffffffff")
    assert link is not None and len(warnings) == 2


def test_a_page_without_a_scenario_has_no_game():
    assert parse_link("") == (None, [])


def test_queued_moves_are_checked_and_a_new_treasury_move_replaces_the_old():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    game.queue(THREATEN)
    game.queue(Decision(step=0, actor="JP", action="sell_treasuries", amount_bn=100))
    game.queue(Decision(step=0, actor="JP", action="set_tariff", target="US", rate_pct=20))
    assert [d.action for d in game.queued] == ["sell_treasuries", "set_tariff"]
    with pytest.raises(UserError, match="is not a seat played by a person"):
        game.queue(Decision(step=0, actor="US", action="set_tariff", target="JP", rate_pct=50))
    with pytest.raises(UserError, match=re.escape("A tariff must be from 0% to 1000%; you entered -3%.")):
        game.queue(Decision(step=0, actor="JP", action="set_tariff", target="US", rate_pct=-3))
    assert describe_move(game.queued[0]) == "Sell $100bn of US Treasuries"


def test_a_move_the_world_does_not_allow_is_refused_when_added_in_plain_words():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    with pytest.raises(UserError, match=re.escape("You hold $1,079bn of US Treasuries (face value), so you "
                                                  "cannot sell $9,000bn.")):
        game.queue(Decision(step=0, actor="JP", action="sell_treasuries", amount_bn=9000))
    with pytest.raises(UserError, match="You have no standing threat to withdraw"):
        game.queue(Decision(step=0, actor="JP", action="retract_threat"))
    assert game.queued == []


def test_a_move_that_became_impossible_is_dropped_with_a_note_and_the_month_plays():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    game.queue(THREATEN)
    game.step()
    game.queue(Decision(step=0, actor="JP", action="retract_threat"))        # allowed: a threat stands
    game.queue(Decision(step=0, actor="JP", action="set_tariff", target="US", rate_pct=30))
    game.undo()                                                                # ... but not any more
    assert game.step() and game.session.month == 1
    assert [d.action for d in game.session.log] == ["set_tariff"]
    assert game.notes == ["Not played in month 1 (2025-04): Withdraw the threat to sell Treasuries. "
                          "You have no standing threat to withdraw."]
    assert game.queued == []


def test_a_second_step_from_the_same_month_plays_nothing():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    assert game.step(from_month=0) and not game.step(from_month=0)
    assert game.session.month == 1


def test_the_link_keeps_the_queued_moves():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    game.step()
    game.queue(Decision(step=0, actor="JP", action="sell_treasuries", amount_bn=150))
    game.queue(Decision(step=0, actor="JP", action="set_tariff", target="US", rate_pct=25, sector="autos"))
    assert "q=2%2CJP%2Csell_treasuries" in game.link()
    again = Game.from_link(parse_link(game.link())[0])
    assert again.session.month == 1 and again.queued == game.queued and again.notes == []
    # a queued move the world refuses (an edited link) is left out with a note; the game still opens
    edited = game.link().replace("amount_bn%3A150", "amount_bn%3A5000")
    opened = Game.from_link(parse_link(edited)[0])
    assert [d.action for d in opened.queued] == ["set_tariff"] and "cannot sell $5,000bn" in opened.notes[0]
    with pytest.raises(UserError, match="must be for month 2"):
        parse_link(game.link().replace("q=2%2C", "q=5%2C"))


def test_every_figure_is_valid_plotly_with_titles_units_and_legends():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    game.queue(THREATEN)
    game.step()
    session, baseline = game.session, game.session.baseline()
    fan = session.fan(seeds=3)
    figures = [charts.markets_figure(session.result.model, baseline.model, fan, session.steps),
               charts.economy_figure(session.result.economies, baseline.economies, ("JP", "US"), session.steps),
               charts.network_figure(session.result.trade, 1),
               charts.score_figure(session.score_parts("JP"), session.score_parts("JP"), "Japan")]
    for figure in figures:
        checked = go.Figure(figure)   # raises on anything plotly.js would not understand
        assert checked.layout.title.text
    markets = go.Figure(figures[0])
    assert {t.name for t in markets.data} == {"Your game", "Baseline (rules only)", "Your moves, 5-95% across seeds"}
    assert "month 1" in markets.layout.title.text and "(%)" in markets.layout.annotations[0].text


def test_the_served_plotly_bundle_matches_the_wheel_and_draws_every_chart():
    """The vendored partial bundle is the plotly.js version of the pinned wheel, and every figure the app
    builds uses only trace types that bundle contains (a new trace type needs a bigger bundle)."""
    from pathlib import Path

    import plotly

    from ui.assets import PLOTLY_JS, PLOTLY_JS_VERSION, PLOTLY_TRACE_TYPES

    wheel = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()[:200]
    served = PLOTLY_JS.read_text()[:200]
    assert f"plotly.js v{PLOTLY_JS_VERSION}" in wheel and f"(basic - minified) v{PLOTLY_JS_VERSION}" in served
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    game.step()
    session, baseline = game.session, game.session.baseline()
    figures = [charts.markets_figure(session.result.model, baseline.model, session.fan(seeds=2), session.steps),
               charts.economy_figure(session.result.economies, baseline.economies, ("JP", "US"), session.steps),
               charts.network_figure(session.result.trade, 1),
               charts.score_figure(session.score_parts("JP"), session.score_parts("JP"), "Japan")]
    assert {t["type"] for f in figures for t in f["data"]} <= set(PLOTLY_TRACE_TYPES)


def test_network_edges_follow_flows_and_tariffs():
    game = Game.from_link(parse_link("?scenario=kato-2025&seats=US")[0])
    game.queue(Decision(step=0, actor="US", action="set_tariff", target="JP", rate_pct=100))
    game.step()
    figure = charts.network_figure(game.session.result.trade, 1, top_edges=72)
    edges = [t for t in figure["data"] if t.get("mode") == "lines" and t.get("text")]
    flows = [float(t["text"].split("$")[1].split("bn")[0].replace(",", "")) for t in edges]
    widths = [t["line"]["width"] for t in edges]
    assert widths[0] == charts.MAX_EDGE_WIDTH_PX and flows == sorted(flows, reverse=True)
    assert all(w == pytest.approx(max(0.8, charts.MAX_EDGE_WIDTH_PX * f / flows[0]), rel=0.01)
               for w, f in zip(widths, flows))
    japan_to_us = next(t for t in edges if t["text"].startswith("Japan → United States"))
    assert "tariff 100.0%" in japan_to_us["text"]


def test_prose_renders_tables_and_shows_html_as_text():
    html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>")
    assert "<table>" in html and "<script>" not in html and "&lt;script&gt;" in html


def test_the_lab_builds_checked_experiments():
    from scenarios import load_scenario
    from ui.pages.lab import build_experiment

    loaded = load_scenario("kato-2025")
    changed, steps, seed = build_experiment(
        loaded, {("JP", "treasury"): ("threaten_then_sell", {"amount_bn": 200})}, {"JP": 0.9}, 200,
        {"bonds.flow_impact_bp_per_pct_supply": 0.5}, 12, 7, {"yen_carry_trader": 0.3}, {"yen_carry_trader": {"size_bn": 300}})
    assert changed.government("JP").treasury.rule == "threaten_then_sell"
    assert changed.rule_settings == ({"seat": "JP", "kind": "treasury", "rule": "threaten_then_sell",
                                      "params": {"amount_bn": 200}},)   # so a replay can redo the change
    high, _, _ = build_experiment(loaded, {("JP", "treasury"): ("threaten_then_sell", {})}, {}, None,
                                  {"bonds.news_bp": 10.0}, 12, 7, preset="high")
    assert high.calibration_preset == "high" and high.calibration["bonds.news_bp"] == 10.0
    assert high.rule_settings[0]["rule"] == "threaten_then_sell"     # a preset keeps the rule settings
    assert changed.government("JP").credibility == 0.9 and changed.investors.count == 200
    assert changed.calibration["bonds.flow_impact_bp_per_pct_supply"] == 0.5 and changed.investors.mix["yen_carry_trader"] == 0.3
    for bad, words in [({"rules": {("JP", "treasury"): ("no_such_rule", {})}}, "unknown treasury rule"),
                       ({"credibility": {"JP": 2.0}}, "credibility of JP's threats must be from 0 to 1"),
                       ({"calibration": {"bonds.nothing": 1.0}}, "is not a known parameter"),
                       ({"investor_params": {"yen_carry_trader": {"size_bn": -5}}}, "outside its range"),
                       ({"preset": "extreme"}, "unknown calibration preset 'extreme'")]:
        arguments = {"rules": {}, "credibility": {}, "investors": None, "calibration": {}, "steps": 12, "seed": 1,
                     **bad}
        with pytest.raises(UserError, match=re.escape(words)):
            build_experiment(loaded, **arguments)


def test_markets_chart_has_calendar_months_markers_and_a_dotted_actual_line():
    """Dates on the x axis, a marker on the month of each move and scripted event (its words escaped), and
    the actual path dotted where values are given (a small fixture standing in for the 2025 history)."""
    from ui.components.figures import chart_marks

    game = Game.from_link(parse_link("?scenario=kato-2025&seats=JP")[0])
    game.queue(THREATEN)
    game.step()
    game.step()
    session = game.session
    moves, events = chart_marks(session, "JP")
    assert moves == [(1, "Threaten to sell $300bn of US Treasuries")]
    assert any(month == 2 and "card" in words for month, words in events)
    actual = {"us_10y": {"2025-04": 4.28, "2025-05": 4.41}}
    figure = charts.markets_figure(session.result.model, None, None, session.steps, start=session.loaded.start,
                                   moves=moves, events=events + [(2, "<a href='x'>typed</a>")], actual=actual)
    checked = go.Figure(figure)
    assert checked.layout.xaxis.type == "date" and checked.layout.xaxis.range == ("2025-03", "2027-03")
    player = next(t for t in checked.data if t.name == "Your game")
    assert player.x[:3] == ("2025-03", "2025-04", "2025-05")
    dotted = [t for t in checked.data if t.name == "What happened (2025)"]
    assert len(dotted) == 1 and dotted[0].line.dash == "dot" and dotted[0].x == ("2025-04", "2025-05")
    mine = [t for t in checked.data if t.name == "Your moves"]
    assert len(mine) == 4 and mine[0].x == ("2025-04",) and "Threaten to sell $300bn" in mine[0].hovertext[0]
    scripted = next(t for t in checked.data if t.name == "Scripted events")
    assert "<a href" not in "".join(scripted.hovertext) and "&lt;a href" in "".join(scripted.hovertext)
    assert checked.layout.title.text.startswith("Markets to 2025-05, month 2: ")


def test_the_briefing_sets_command_line_instructions_apart():
    from scenarios import load_scenario
    from ui.briefing import split_briefing

    browser, command_line = split_briefing(load_scenario("kato-2025").briefing.sections())
    web_text = " ".join(text for _, text in browser)
    cli_text = " ".join(text for _, text in command_line)
    assert "python run.py" not in web_text and "--use-rule" not in web_text and "[[decision]]" not in web_text
    assert "python run.py simulate" in cli_text and "--use-rule" in cli_text
    how = dict(browser)["How to use it"]
    assert how.startswith("Play Japan: hold (the default)") and "A class can split the seats" in how
    tries = dict(browser)["Things to try"].splitlines()
    assert [line[:3] for line in tries if line[:1].isdigit()] == ["1. ", "2. ", "3. "]


def test_components_never_import_pages_and_the_core_never_imports_the_ui():
    """The layers point one way: pages use components, components use the core, the core uses neither."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]

    def imports(folder: str) -> list[tuple[str, str]]:
        found = []
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    found.append((str(path.relative_to(root)), node.module))
                elif isinstance(node, ast.Import):
                    found += [(str(path.relative_to(root)), alias.name) for alias in node.names]
        return found

    assert [(f, m) for f, m in imports("ui/components") if m.startswith("ui.pages")] == []
    for folder in ("simulation", "agents", "scenarios", "classroom"):
        # the command line (simulation/cli.py) is the program's entry point: it hands `play` to the app
        assert [(f, m) for f, m in imports(folder) if (m == "ui" or m.startswith("ui."))
                and f != "simulation/cli.py"] == []
