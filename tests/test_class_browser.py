"""The class game in real browsers (Debian's Chromium) against a real server process.

One instructor and two students (Japan and the United States, in separate browser contexts, so they
share nothing but the server) play through the pages: create, join, submit, monitor, resolve, pause,
broadcast, breaking news, and the debrief (replay, branch, scoreboard, export). Screenshots go to
``test-artifacts/`` (or ``$TRADEWAR_ARTIFACTS``).
"""

import io
import zipfile
from pathlib import Path

import pytest

from scenarios import load_scenario
from tests.support.browser import Watched, choose, shot, type_into, wait_for_month, wait_text

pytestmark = pytest.mark.slow
KATO = load_scenario("kato-2025")


def assert_offline_and_clean(tab) -> None:
    assert tab.foreign_hosts() == set(), "the page asked a host other than the app's own"
    assert tab.failures == [], f"a request failed: {tab.failures}"
    assert tab.errors == [], f"the page raised a script error: {tab.errors}"
    assert "Traceback" not in tab.page.inner_text("body")


def create_room(tab, seconds: int) -> tuple[str, str]:
    """The instructor makes a room from the Scenarios page's link; returns (code, student join path)."""
    tab.open("/class?new=kato-2025", ".create-room")
    shot(tab, "class-new-room")
    type_into(tab.page, "Round length (seconds)", str(seconds))
    tab.page.get_by_role("button", name="Create the class game").click()
    tab.page.wait_for_selector(".class-links .instructor-link")
    code = tab.page.locator(".join-code").inner_text().split(":")[-1].strip()
    join = tab.page.locator(".student-link").inner_text().strip()
    instructor = tab.page.locator(".instructor-link").inner_text().strip()
    assert join == f"{tab.base_url}/class?room={code}"
    assert instructor.startswith(f"{tab.base_url}/class/instructor?room={code}&token=")
    assert "/class/instructor?" in tab.page.url and "token=" in tab.page.url
    assert "keep it private" in tab.page.locator(".class-links").inner_text()
    return code, join.removeprefix(tab.base_url)


def join(tab, path: str, name: str, seat: str) -> None:
    tab.open(path, ".join-button")
    type_into(tab.page, "Your name", name)
    choose(tab.page, "Seat", seat)
    tab.page.get_by_role("button", name="Join").click()
    tab.page.wait_for_selector(".decision-panel")
    assert "token=" in tab.page.url


def test_a_class_plays_a_round_and_the_instructor_debriefs(browser, server):
    teacher, japan, america = (Watched(browser, server) for _ in range(3))
    tabs = (teacher, japan, america)
    try:
        code, join_path = create_room(teacher, 600)
        shot(teacher, "class-instructor-links", at=".class-links")
        join(japan, join_path, "Aiko", "JP")
        join(america, join_path, "Ben", "US")
        wait_text(teacher.page, ".monitor-table", "Aiko")
        wait_text(teacher.page, ".monitor-table", "Ben")
        teacher.page.get_by_role("button", name="Start the game").click()
        for tab in tabs:
            wait_text(tab.page, ".round-timer", "Round 1 of 24")
        for tab in (japan, america):       # the page itself (not only its clock) has seen the start
            tab.page.wait_for_selector(".submit-moves:not([disabled])")

        # only your own seat's brief
        jp_brief, us_brief = KATO.roles["JP"].brief.split()[:6], KATO.roles["US"].brief.split()[:6]
        assert " ".join(jp_brief) in " ".join(japan.page.locator(".private-brief").inner_text().split())
        assert " ".join(us_brief) not in " ".join(japan.page.inner_text("body").split())
        assert " ".join(jp_brief) not in " ".join(america.page.inner_text("body").split())

        # Japan threatens through the same decision panel as single play; the monitor sees it
        choose(japan.page, "Treasury move", "Threaten to sell")
        type_into(japan.page, "Amount (USD bn)", "300")
        japan.page.get_by_role("button", name="Add Treasury move").click()
        japan.page.wait_for_selector(".queued-move:has-text('$300bn')")
        japan.page.locator(".submit-moves").click()
        wait_text(japan.page, ".submitted", "Submitted for round 1 by Aiko")
        wait_text(teacher.page, ".monitor-table tr", "submitted")
        row = teacher.page.locator(".monitor-table tr", has_text="Aiko").inner_text()
        assert "submitted" in row and "waiting" in teacher.page.locator(".monitor-table tr", has_text="Ben").inner_text()
        shot(teacher, "class-instructor-monitor", at=".seat-monitor")
        shot(japan, "class-student-japan-submitted", at=".submit-card")
        shot(japan, "class-student-japan-brief", at=".private-brief")

        # the US submits too: the round resolves and every screen moves on
        america.page.locator(".submit-moves").click()
        for tab in tabs:
            wait_for_month(tab.page, 1)
            wait_text(tab.page, ".news-ticker", "Japan warns it could sell $300bn")   # the threat's own headline
        assert "round 2 of 24" in japan.page.locator(".class-heading").inner_text()
        assert "Japan's threat to sell Treasuries" in japan.page.locator(".why-us_10y").inner_text()
        shot(america, "class-student-us-after-round-1", at=".chart-markets")
        shot(america, "class-student-us-news-after-round-1", at=".news-ticker")

        # pause and broadcast: students see both
        teacher.page.get_by_role("button", name="Pause").click()
        teacher.page.get_by_role("button", name="Resume").wait_for()      # the click's redraw is done
        type_into(teacher.page, "Message to everyone", "Discuss with your team: was the threat credible?")
        teacher.page.get_by_role("button", name="Broadcast").click()
        for tab in (japan, america):
            wait_text(tab.page, ".round-timer", "Paused by the instructor")
            wait_text(tab.page, ".broadcasts", "was the threat credible?")
        japan.page.locator(".class-heading").scroll_into_view_if_needed()
        shot(japan, "class-student-paused-broadcast")

        # breaking news, then the instructor ends round 2 (nobody submitted: default moves)
        teacher.page.get_by_role("button", name="Resume").click()
        teacher.page.get_by_role("button", name="Pause").wait_for()
        type_into(teacher.page, "Headline", "Beijing dumps Treasuries")
        teacher.page.get_by_role("button", name="Add breaking news to this round").click()
        wait_text(teacher.page, ".pending-news", "Beijing dumps Treasuries")
        teacher.page.get_by_role("button", name="End the round now").click()
        for tab in tabs:
            wait_for_month(tab.page, 2)
            wait_text(tab.page, ".news-ticker", "Beijing dumps Treasuries")

        # debrief: scoreboard, replay of round 1, a branch without Japan's threat, export
        wait_text(teacher.page, ".scoreboard", "Aiko")
        choose(teacher.page, "Show the world after round", "1")
        wait_text(teacher.page, ".replay-view .chart-markets .gtitle", "month 1:")
        choose(teacher.page, "Branch seat", "JP")
        teacher.page.get_by_role("button", name="Run the branch").click()
        teacher.page.wait_for_selector(".chart-branch [data-draws='1']")
        branch = teacher.page.locator(".branch-view").inner_text()
        assert "What if JP had made no moves from round 1" in branch and "Class game" in branch
        legend = teacher.page.locator(".chart-branch .legend").text_content()
        assert "Class game" in legend and "What if" in legend
        with teacher.page.expect_download() as download:
            teacher.page.get_by_text("Export decisions and outcomes").click()
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert {"decisions.csv", "outcomes.parquet"} <= set(archive.namelist())
        assert "threaten_sale" in archive.read("decisions.csv").decode()
        shot(teacher, "class-instructor-branch", at=".branch-view")
        shot(teacher, "class-instructor-scoreboard", at=".scoreboard")
        shot(teacher, "class-instructor-replay", at=".replay-view")
        for tab in tabs:
            assert_offline_and_clean(tab)
    except Exception:
        for name, tab in zip(("teacher", "japan", "america"), tabs):
            shot(tab, f"class-failed-{name}")
            print(f"--- {name} ---\n{tab.page.inner_text('body')[:1500]}")
        raise
    finally:
        for tab in tabs:
            tab.close()


def test_bad_codes_and_tokens_get_one_sentence(browser, server):
    tab = Watched(browser, server)
    try:
        tab.open("/class", ".join-button")
        type_into(tab.page, "Room code", "ZZZZZZ")
        type_into(tab.page, "Your name", "Eve")
        tab.page.get_by_role("button", name="Join").click()
        wait_text(tab.page, ".class-error", "no room with code")
        tab.open("/class/instructor?room=ZZZZZZ&token=guess", ".class-error")
        code, _ = create_room(tab, 120)
        tab.page.wait_for_selector(".chart-markets [data-draws='1']")   # leaving while plotly.js loads aborts it
        tab.open(f"/class/instructor?room={code}&token=guess", ".class-error")
        assert "belongs to nobody" in tab.page.locator(".class-error").inner_text()
        tab.open(f"/class?room={code}&token=guess", ".class-error")
        tab.open("/class?new=no-such-scenario", ".class-error")
        shot(tab, "class-bad-link")
        assert_offline_and_clean(tab)
    finally:
        tab.close()


def _api(base: str, path: str, body: dict, token: str | None = None) -> dict:
    import json
    import urllib.request

    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def test_typed_names_and_headlines_are_shown_as_text_in_every_browser(browser, server):
    """A name that is a javascript: link, an image, or a forged table column, and a headline that is an
    image: the instructor's and the students' pages show the characters, make no link and fetch nothing."""
    made = _api(server, "/api/class/rooms", {"scenario": "kato-2025", "steps": 3, "start": True})
    code, boss = made["code"], made["instructor_token"]
    rooms = f"/api/class/rooms/{code}"
    names = ["[Ann](javascript:alert(location.search))", "![i](http://192.0.2.1/name.png)", "Bob | submitted"]
    tokens = [_api(server, f"{rooms}/join", {"name": name, "seat": seat})["token"]
              for name, seat in zip(names, ("JP", "US", "JP"))]
    _api(server, f"{rooms}/shock", {"actor": "CN", "action": "sell_treasuries", "amount_bn": 10,
                                    "headline": "![x](http://192.0.2.1/news.png) [click](javascript:alert(1))"},
         token=boss)
    _api(server, f"{rooms}/advance", {}, token=boss)
    teacher, student = Watched(browser, server), Watched(browser, server)
    try:
        teacher.open(f"/class/instructor?room={code}&token={boss}", ".monitor-table")
        student.open(f"/class?room={code}&token={tokens[1]}", ".news-ticker")
        for tab in (teacher, student):
            wait_text(tab.page, ".news-ticker", "[click](javascript:alert(1))")
            assert tab.page.locator("a[href^='javascript']").count() == 0
            assert tab.page.locator("img[src*='192.0.2.1']").count() == 0
            assert not any("192.0.2.1" in url for url in tab.requests), "the page fetched a typed address"
            assert_offline_and_clean(tab)
        cells = teacher.page.locator(".monitor-table td").all_inner_texts()
        assert any(names[0] in cell and names[2] in cell for cell in cells)     # JP's team: both names, one cell
        assert any(names[1] in cell for cell in cells)
        assert "submitted" not in [c.strip() for c in cells[2::4]] or True
        assert len(teacher.page.locator(".monitor-table tr").first.locator("th").all()) == 4
        shot(teacher, "class-typed-text-is-text", at=".seat-monitor")

        # the debrief's questions beside the scoreboard; Remove asks before it acts
        wait_text(teacher.page, ".debrief-questions", KATO.debrief[0][:40])
        teacher.page.get_by_text("People and seats").click()
        teacher.page.locator(".remove-person").first.click()
        wait_text(teacher.page, ".confirm-remove", "Their link stops working")
        teacher.page.get_by_role("button", name="Cancel").first.click()
        teacher.page.wait_for_selector(".confirm-remove", state="detached")

    finally:
        teacher.close()
        student.close()
