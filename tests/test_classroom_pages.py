"""What the class pages rely on, without a browser: the room's read-only snapshot (``room.view()``)
answers like the live session and stays frozen while the game moves on; the join page's seat lookup
is rate-limited; the pages' paths match the links the server hands out."""

from __future__ import annotations

import numpy as np
import pytest

from classroom import ClassRegistry
from classroom.errors import NotFound, RateLimited
from classroom.links import instructor_link, join_link, rejoin_link
from test_classroom_support import FakeClock


@pytest.fixture
def registry(tmp_path):
    reg = ClassRegistry(tmp_path / "class.sqlite3", clock=FakeClock(), ticker=False, joins_per_address=2)
    yield reg
    reg.close()


def test_view_answers_like_the_session_and_stays_frozen(registry):
    room, _ = registry.create("kato-2025", seats=("JP", "US"), start=True)
    _, _, japan = registry.join(room.code, "Aiko", "JP", client="a")
    room.submit(japan, [{"action": "threaten_sale", "amount_bn": 300}])     # the only seat taken: resolves
    view, session = room.view(), room.session
    assert (view.month, view.steps, view.finished) == (1, session.steps, False)
    assert view.headlines() == session.headlines() and view.headlines(1) == session.headlines(1)
    assert view.score("JP") == session.score("JP") and view.score_parts("BOJ") == session.score_parts("BOJ")
    assert view.why(1, "us_10y").equals(session.why(1, "us_10y"))
    assert np.array_equal(view.model.trade.tariff_on("JP", "US"), session.model.trade.tariff_on("JP", "US"))
    assert view.model.ledger.holdings_bn == session.model.ledger.holdings_bn
    assert view.model.central_banks["BOJ"].policy_rate_pct == session.model.central_banks["BOJ"].policy_rate_pct
    assert view.baseline().model.equals(session.baseline().model)
    assert view.seat_view("JP") == session.seat_view("JP")           # the same read interface as one player's game
    assert view.seat_view("JP").threat_bn == 300
    assert room.view() is view                   # one snapshot per month

    room.submit(japan, [{"action": "sell_treasuries", "amount_bn": 100}])
    assert view.month == 1 and len(view.result.model) == 2      # the old snapshot did not move
    assert room.view().month == 2 and len(room.view().result.model) == 3


def test_trying_codes_is_rate_limited_per_address_but_a_class_on_one_address_is_not(registry):
    """Codes that do not exist are counted per address; after 30 in a minute even a real code is
    refused there, so codes cannot be enumerated. A real code looked up by a whole class behind one
    address (NAT) is never refused."""
    room, _ = registry.create("kato-2025")
    for _ in range(100):
        assert registry.lookup(room.code.lower(), client="school") is room
    for number in range(30):
        with pytest.raises(NotFound):
            registry.lookup(f"ZZZ{number:03d}", client="b")
    with pytest.raises(RateLimited):
        registry.lookup(room.code, client="b")
    with pytest.raises(RateLimited):
        registry.get(room.code, client="b")
    assert registry.lookup(room.code, client="c") is room


def test_links_point_at_the_class_pages():
    from ui.pages import classroom as page

    assert join_link("AB2CD3") == "/class?room=AB2CD3"
    assert rejoin_link("AB2CD3", "t-k") == "/class?room=AB2CD3&token=t-k"
    assert instructor_link("AB2CD3", "t k").startswith("/class/instructor?room=AB2CD3&token=t%20k")
    assert "/class/instructor" in page.__doc__ and "/class?new=" in page.__doc__


def test_a_rooms_charts_and_why_tables_are_built_once_per_month_and_shared_by_its_pages(registry):
    from ui.components.class_world import shared_figures, shared_report, shared_world

    room, boss = registry.create("kato-2025", steps=3, start=True)
    room.advance(boss)
    view = room.view()
    first = shared_figures(view, "JP")
    assert shared_figures(room.view(), "JP") is first                   # a second page: the same figures
    assert shared_figures(view, "BOJ") is first                          # same economies drawn for Japan's bank
    assert shared_figures(view, "US")[1] != first[1]                    # the US seat's economies chart differs
    assert view.why(1, "us_10y") is room.view().why(1, "us_10y")
    world = shared_world(view, "JP")
    assert shared_world(room.view(), "BOJ") is world and shared_world(view, "US") is not world
    us = shared_world(view, "US")                          # only the economies chart is the seat's own:
    assert us.why is world.why and us.charts[0] is world.charts[0] and us.charts[2] is world.charts[2]
    assert us.charts[1] != world.charts[1] and shared_figures(view, "US")[0] is first[0]
    assert "month 1:" in world.charts[0].label and "why-us_10y" in world.why and "news-ticker" in world.numbers_and_news
    assert shared_report(view, "JP") is shared_report(room.view(), "JP") and shared_report(view, "US").title
    room.advance(boss)
    later = shared_figures(room.view(), "JP")
    assert later is not first and "month 2:" in later[0]["layout"]["title"]["text"]
    assert "month 2:" in shared_world(room.view(), "JP").charts[0].label


def test_pages_asking_at_once_build_the_shared_world_once(registry, monkeypatch):
    """Thirty pages ask for the world at the same moment after a round: one builds it (and each "why"
    table once), the others wait for it and get the very same object."""
    import threading

    import simulation.session as session_module
    from ui.components.class_world import shared_world

    room, boss = registry.create("kato-2025", steps=3, start=True)
    room.advance(boss)
    view = room.view()
    built, real = [], session_module.why_table
    monkeypatch.setattr(session_module, "why_table", lambda *a: built.append(a[1:]) or real(*a))
    got, start = [], threading.Barrier(12)

    def page():
        start.wait()
        got.append(shared_world(view, "JP"))

    pages = [threading.Thread(target=page) for _ in range(12)]
    for thread in pages:
        thread.start()
    for thread in pages:
        thread.join()
    assert len(got) == 12 and all(world is got[0] for world in got)
    assert len(built) == len(set(built)) > 0            # each (month, market) table built once


def test_the_debrief_names_who_is_most_exposed_from_the_trade_networks_measures(registry):
    from classroom.debrief import most_exposed

    room, boss = registry.create("kato-2025", steps=3, start=True)
    before = most_exposed(room.result().network)
    assert (before.exports_facing_raised_tariffs_share == 0).all()      # nobody has raised a tariff yet
    room.advance(boss)                                                   # April 2025: the US tariffs start
    after = most_exposed(room.result().network)
    shares = after.exports_facing_raised_tariffs_share.tolist()
    assert len(after) == 3 and shares == sorted(shares, reverse=True)
    assert after.economy.iloc[0] == "JP" and shares[0] > 0.1          # kato-2025 tariffs Japan alone
    network = room.result().network
    top = network[(network.step == 1) & (network.measure == "exports_facing_raised_tariffs_share")]
    assert shares[0] == pytest.approx(top.value.max())


def follow_by_hand(monkeypatch, redraws: list):
    """Replace the student page's follower thread with one the test drives: each call of a function added
    to ``redraws`` reads the room and hands the reading to the page's parts, as the thread does."""
    import reacton.core
    import solara

    import ui.pages.classroom as pages
    from ui.components.class_common import RoomFeed

    def use_room_feed(room, read, key=None):
        feed = solara.use_memo(lambda: RoomFeed(read()), dependencies=[id(room), key])
        render_context = reacton.core.get_render_context()

        def redraw():
            with render_context:
                feed.publish(read())
        solara.use_memo(lambda: redraws.append(redraw), dependencies=[id(room), key])
        return feed

    monkeypatch.setattr(pages, "use_room_feed", use_room_feed)


def test_a_round_sends_each_page_the_shared_world_in_one_message(registry, monkeypatch):
    """Thirty pages redraw when a round is played. Each page's world is one widget whose charts are the
    very same serialised text on every page (built once per room and month, not once per page), and a
    round costs a page a handful of widget messages: one for the whole world, a few for its own seat
    (clock, heading, report card, decision panel). Rendered in-process: no browser, no clock."""
    import ipywidgets
    import solara

    import ui.pages.classroom as pages
    from ui.components.class_world import _WorldWidget

    room, boss = registry.create("kato-2025", steps=4, start=True)
    tokens = [registry.join(room.code, name, seat, client=name)[2] for name, seat in (("Ann", "JP"), ("Ben", "JP"))]
    redraws = []
    follow_by_hand(monkeypatch, redraws)
    rendered = [solara.render(pages.StudentView(room, token), handle_error=False) for token in tokens]
    sent, real_send = [], ipywidgets.Widget._send
    monkeypatch.setattr(ipywidgets.Widget, "_send", lambda self, msg, buffers=None: sent.append(msg) or
                        real_send(self, msg, buffers))
    room.advance(boss)
    for redraw in redraws[:len(tokens)]:
        redraw()
    worlds = [rc.find(_WorldWidget).widget for _, rc in rendered]
    assert all("month 1:" in world.labels[0] for world in worlds)
    assert all(a is b for a, b in zip(worlds[0].charts, worlds[1].charts))     # serialised once, not per page
    assert worlds[0].why is worlds[1].why and "why-us_10y" in worlds[0].why
    assert 0 < len(sent) / len(tokens) <= 12, f"{len(sent) / len(tokens)} widget messages per page for one round"
    for _, rc in rendered:
        rc.close()


def test_a_round_redraws_a_students_parts_not_the_page_the_app_or_the_brief(registry, monkeypatch):
    """When a round is played, thirty pages redraw at once on one server. On each, only the parts that
    show the round run again (heading and clock, decision panel, report card, world): the page's frame is
    not run again, and no widget of the app bar or of the briefing is touched (the server's renderer
    skips what did not change, as the app server sets it up: ``ui.server.SPEED_ENV``). The whole app is
    rendered in-process, as the server renders a page."""
    import reacton.core
    import solara
    import solara.autorouting

    import ui.app
    import ui.pages.classroom as pages
    from ui.components import panels
    from ui.components.class_common import _TimerWidget
    from ui.components.class_world import _WorldWidget
    from ui.server import SPEED_ENV

    import classroom
    import ipyvuetify as v

    for key, value in SPEED_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(classroom, "_registry", registry)        # the pages find rooms in this registry
    room, boss = registry.create("kato-2025", steps=4, start=True)
    token = registry.join(room.code, "Ann", "JP", client="Ann")[2]
    redraws = []
    follow_by_hand(monkeypatch, redraws)
    app = solara.RoutingProvider(children=[solara.autorouting.RenderPage("Page")], routes=ui.app.routes,
                                 pathname=f"/class?room={room.code}&token={token}")
    _, rendered = solara.render(app, handle_error=False)
    briefing = [w for w in rendered.find(v.ExpansionPanel).widgets if "Briefing" in _text(w)]
    brief = [w for w in rendered.find(v.Card).widgets if "private-brief" in w.class_]
    still = [*rendered.find(v.AppBar).widgets, *briefing, *brief]
    assert briefing and brief and rendered.find(v.AppBar).widgets
    untouched = {id(w) for root in still for w in _descendants(root)}
    updated, real_update = [], reacton.core.Element._update_widget
    monkeypatch.setattr(reacton.core.Element, "_update_widget",
                        lambda self, widget, el_prev, kwargs: updated.append(widget) or
                        real_update(self, widget, el_prev, kwargs))
    frames, briefing_text = pages.StudentView.render_count, panels.BriefingText.render_count
    room.advance(boss)
    redraws[0]()
    assert "month 1:" in rendered.find(_WorldWidget).widget.labels[0]
    heading = rendered.find(_TimerWidget).widget                      # the heading and the clock
    assert "round <strong>2 of" in heading.heading and heading.before.startswith("Round 2 of")
    assert pages.StudentView.render_count == frames, "the page's frame ran again for a round"
    assert panels.BriefingText.render_count == briefing_text
    touched = [type(w).__name__ for w in updated if id(w) in untouched]
    assert not touched, f"a round updated widgets of the app bar or the briefing: {touched}"
    assert heading in updated                                        # the round did redraw the heading
    rendered.close()


def _text(widget) -> str:
    """The text inside ``widget`` (strings among its children, recursively)."""
    return " ".join(c if isinstance(c, str) else _text(c) for c in getattr(widget, "children", ()) or ())


def _descendants(widget) -> list:
    """``widget`` and every widget inside it (its children, recursively)."""
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        found.append(w)
        stack.extend(c for c in getattr(w, "children", ()) or () if hasattr(c, "model_id"))
    return found


def test_a_students_page_follows_only_what_it_shows(registry):
    """In a class of thirty every draft, submission or join changes the room; a page that redrew for
    each would cost the server a page render per student per change. A student's page follows
    ``student_page_value``: other seats' drafts, submissions and joins leave it unchanged; its own team's
    draft, an offer to its seat, the instructor's pause, added time or message and a played round change it."""
    from ui.pages.classroom import _heading, student_page_value

    room, boss = registry.create("kato-2025", steps=3, start=True)
    ann, ben, cleo = (registry.join(room.code, name, seat, client=name)[2]
                      for name, seat in (("Ann", "JP"), ("Ben", "JP"), ("Cleo", "US")))
    registry.join(room.code, "Dan", "BOJ", client="Dan")
    seen = student_page_value(room, ann)

    def changed() -> bool:
        nonlocal seen
        now = student_page_value(room, ann)
        moved, seen = now != seen, now
        return moved

    room.draft(cleo, [{"action": "set_tariff", "target": "CN", "rate_pct": 30}])
    room.submit(cleo, [{"action": "set_tariff", "target": "CN", "rate_pct": 30}])
    registry.join(room.code, "Eve", "US", client="Eve")
    assert not changed(), "another seat's draft, submission or join redrew the page"
    room.draft(ben, [{"action": "sell_treasuries", "amount_bn": 50}])
    assert changed() and seen[0]["you"]["draft_by"] == "Ben"
    room.submit(cleo, [{"action": "propose_deal", "target": "JP", "rate_pct": 10}])
    assert changed() and [d.action for d in seen[2]] == ["propose_deal"]
    room.pause(boss)
    assert changed() and seen[0]["paused"]
    room.extend(boss, 120)     # time added during a pause: the heading's clock must show it
    assert changed() and _heading(seen) != _heading((dict(seen[0], paused_left=0.0),) + seen[1:])
    room.broadcast(boss, "Five minutes left")
    assert changed()
    room.advance(boss)
    assert changed() and seen[0]["round"] == 2


def test_a_chart_drawn_on_the_server_shows_typed_text_as_text_and_every_value_of_a_month(registry):
    """The class's student pages get their markets and report-card charts as SVG made on the server
    (``svg_chart``): the same title, panels and series as the Plotly figure, a month's values in its
    hover title, and typed text (a headline, a name) escaped, never markup."""
    from html.parser import HTMLParser

    from ui.charts import markets_figure, score_figure
    from ui.components.svg_chart import figure_html

    room, boss = registry.create("kato-2025", steps=3, start=True)
    room.advance(boss)
    view = room.view()
    typed = '<img src=x onerror="alert(1)"> & <b>Ann</b>'
    figure = markets_figure(view.result.model, view.baseline().model, None, view.steps, events=[(1, typed)])
    drawn = figure_html(figure)

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.titles, self.inside = set(), [], False

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            self.inside = tag == "title"

        def handle_data(self, data):
            if self.inside:
                self.titles.append(data)

        def handle_endtag(self, tag):
            self.inside = False

    parsed = Tags()
    parsed.feed(drawn)
    assert parsed.tags <= {"div", "span", "svg", "line", "polyline", "polygon", "circle", "path", "rect", "text", "title"}
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;Ann&lt;/b&gt;" in drawn
    assert figure["layout"]["title"]["text"] in drawn
    model = view.result.model
    yields = [t for t in parsed.titles if t.startswith("month 1\n") and f"Your game: {model.us_10y.iloc[1]:.2f}" in t]
    assert len(yields) == 1 and f"Scripted events: {typed}" in yields[0]     # unescaped by the parser: the same text
    bars = figure_html(score_figure({"output": 1.5, "jobs": -0.25}, {"output": 1.0, "jobs": 0.5}, "Japan"))
    assert "Your game, jobs: -0.25" in bars and "Baseline (rules only), output: 1.00" in bars
    with pytest.raises(ValueError, match="heatmap"):
        figure_html({"data": [{"type": "heatmap", "z": [[1]]}], "layout": {}})
