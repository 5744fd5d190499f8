"""How fast the web app feels, measured in Debian's Chromium against the real server.

Measures, each in a fresh browser context (empty cache, like a student's first visit):
  - first load of the Scenarios page (until the scenario cards are drawn),
  - first load of the Play page for kato-2025 as Japan, opened directly from a link: until its controls
    can be used (heading, decision panel, step button) and until its charts are drawn (plotly.js, the
    1.2 MB partial bundle in ui/assets, is loaded on first visit),
  - the same for the link of a finished 24-month game (the server replays all 24 months),
  - from the Scenarios page (after 3 s of reading) to the Play page's charts, the usual way in,
  - step click -> markets chart redrawn for the new month, over --steps months (median and p95),
  - the fan chart of 100 seeds: click -> shaded bands drawn (and the seconds the server spent on it).
Targets: direct link usable < 2 s, charts < 3 s, finished 24-month game < 3.5 s (medians), step p95
< 300 ms, fan of 100 seeds < 2 s. Each is printed with whether it was met. The figures depend on how busy
the machine is: say so beside them when the machine is shared.

Usage: python benchmarks/app_speed.py [--loads 5] [--steps 23]
The last line holds every figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.browser import Watched, app_server, launch, wait_for_month  # noqa: E402

PLAY = "/play?scenario=kato-2025&seats=JP"
CHARTS_DRAWN = ".chart-markets [data-draws='1']"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def first_loads(browser, url: str, path: str, ready: str, times: int) -> list[float]:
    seconds = []
    for _ in range(times):
        tab = Watched(browser, url)
        seconds.append(tab.open(path, ready))
        tab.close()
    return seconds


# Timed inside the page: from the click event to the markets chart's title naming the new month, so the
# figure excludes Playwright's own checks before it clicks.
TIME_NEXT_STEP = """month => {
  window.stepTiming = new Promise(resolve => {
    let clicked = null;
    document.addEventListener("click", () => { clicked = performance.now(); }, {capture: true, once: true});
    const chart = document.querySelector(".chart-markets");
    const observer = new MutationObserver(() => {
      const title = chart.querySelector(".gtitle");
      if (clicked !== null && title && title.textContent.includes("month " + month + ":")) {
        observer.disconnect();
        resolve(performance.now() - clicked);
      }
    });
    observer.observe(chart, {subtree: true, childList: true, characterData: true, attributes: true});
  });
}"""


def library_to_play(browser, url: str, times: int, reading_s: float = 3.0) -> list[float]:
    """The usual way in: the Scenarios page, a few seconds of reading, then "Play Japan" until charts show."""
    seconds = []
    for _ in range(times):
        tab = Watched(browser, url)
        tab.open("/", ".scenario-card")
        tab.page.wait_for_timeout(reading_s * 1000)
        started = time.perf_counter()
        tab.page.locator(".scenario-kato-2025 .play-JP").click()
        tab.page.wait_for_selector(CHARTS_DRAWN, timeout=60_000)
        seconds.append(time.perf_counter() - started)
        tab.close()
    return seconds


def step_times(browser, url: str, steps: int) -> list[float]:
    tab = Watched(browser, url)
    tab.open(PLAY, CHARTS_DRAWN)
    button = tab.page.get_by_role("button", name="Step: play next month")
    seconds = []
    for month in range(1, steps + 1):
        tab.page.evaluate(TIME_NEXT_STEP, month)
        button.click()
        wait_for_month(tab.page, month)
        seconds.append(tab.page.evaluate("window.stepTiming") / 1000)
    tab.close()
    return seconds


def fan_time(browser, url: str) -> tuple[float, str]:
    tab = Watched(browser, url)
    tab.open(PLAY, CHARTS_DRAWN)
    started = time.perf_counter()
    tab.page.get_by_role("button", name="Fan chart: 100 seeds").click()
    tab.page.wait_for_function(
        "() => document.querySelector('.chart-markets').textContent.includes('5-95% across seeds')", timeout=120_000)
    seconds = time.perf_counter() - started
    note = tab.page.locator(".fan-done").inner_text()
    tab.close()
    return seconds, note


def bundle_cost(browser, rounds: int = 5) -> dict[str, list[float]]:
    """Seconds to parse and run plotly.js in a blank page: the full bundle of the plotly wheel against the
    partial bundle the app serves, alternated so that a busy machine slows both alike."""
    from pathlib import Path as P

    import plotly

    from ui.assets import PLOTLY_JS

    bundles = {"full (plotly wheel)": P(plotly.__file__).parent / "package_data" / "plotly.min.js",
               "partial (ui/assets)": PLOTLY_JS}
    seconds = {name: [] for name in bundles}
    for _ in range(rounds):
        for name, path in bundles.items():
            context = browser.new_context()
            page = context.new_page()
            page.set_content("<html><body></body></html>")
            source = path.read_text()
            elapsed = page.evaluate("""source => { const t = performance.now(); const s = document.createElement('script');
                s.textContent = source; document.head.appendChild(s); return (performance.now() - t) / 1000; }""", source)
            assert page.evaluate("() => typeof window.Plotly.react") == "function"
            seconds[name].append(elapsed)
            context.close()
    return seconds


def finished_game_link(months: int = 24) -> str:
    """The link of a kato-2025 game as Japan played to its last month, with a threat and a sale in it."""
    from simulation.decisions import Decision
    from simulation.session import PlaySession
    from ui.state import link_for

    session = PlaySession("kato-2025", seats=("JP",), steps=months)
    session.step([Decision(step=1, actor="JP", action="threaten_sale", amount_bn=300)])
    session.step([Decision(step=2, actor="JP", action="sell_treasuries", amount_bn=150)])
    while not session.finished:
        session.step()
    return f"/play{link_for(session)}"


TARGETS = {"load_play_usable_s": 2.0, "load_play_charts_s": 3.0, "load_finished_game_s": 3.5,
           "step_p95_ms": 300.0, "fan20_s": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="first loads per page (default 5)")
    parser.add_argument("--steps", type=int, default=23, help="steps to time, at least 20 (default 23)")
    parser.add_argument("--bundles-only", action="store_true", help="only compare the two plotly.js bundles")
    args = parser.parse_args()
    if args.bundles_only:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch(playwright)
            for name, values in bundle_cost(browser, args.loads).items():
                print(f"plotly.js parse and run, {name}: median {statistics.median(values):.2f} s "
                      f"({', '.join(f'{v:.2f}' for v in values)})")
            browser.close()
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, app_server(Path(folder) / "class.sqlite3") as (url, _), \
            sync_playwright() as playwright:
        browser = launch(playwright)
        first_loads(browser, url, PLAY, CHARTS_DRAWN, 1)      # warm the server (imports, baseline run)
        library = first_loads(browser, url, "/", ".scenario-card", args.loads)
        usable = first_loads(browser, url, PLAY, ".decision-panel .v-btn, .step-button", args.loads)
        play = first_loads(browser, url, PLAY, CHARTS_DRAWN, args.loads)
        finished = first_loads(browser, url, finished_game_link(), CHARTS_DRAWN, args.loads)
        onward = library_to_play(browser, url, args.loads)
        steps = step_times(browser, url, args.steps)
        fan_s, fan_note = fan_time(browser, url)
        bundles = bundle_cost(browser)
        browser.close()
    print(f"{'measure':44} {'median':>8} {'p95':>8} {'n':>4}")
    for name, values in (("first load, Scenarios page (s)", library), ("first load, Play page usable (s)", usable),
                         ("first load, Play page with charts (s)", play),
                         ("first load, finished 24-month game (s)", finished),
                         ("Scenarios -> Play Japan, charts drawn (s)", onward),
                         ("step click -> charts redrawn, in page (ms)", [s * 1000 for s in steps])):
        print(f"{name:44} {statistics.median(values):8.2f} {p95(values):8.2f} {len(values):4d}")
    print(f"{'fan chart, 100 seeds, click -> drawn (s)':44} {fan_s:8.2f}   ({fan_note.strip()})")
    for name, values in bundles.items():
        print(f"{'plotly.js parse and run, ' + name + ' (s)':44} {statistics.median(values):8.2f} "
              f"{p95(values):8.2f} {len(values):4d}")
    figures = {"load_play_usable_s": statistics.median(usable), "load_play_charts_s": statistics.median(play),
               "load_finished_game_s": statistics.median(finished), "step_p95_ms": p95(steps) * 1000,
               "fan20_s": fan_s}
    for name, target in TARGETS.items():
        print(f"target {name} < {target:g}: {figures[name]:.2f} -> {'met' if figures[name] < target else 'MISSED'}")
    print(f"load_scenarios_s={statistics.median(library):.2f} load_play_usable_s={statistics.median(usable):.2f} "
          f"load_play_charts_s={statistics.median(play):.2f} load_finished_game_s={statistics.median(finished):.2f} "
          f"library_to_play_s={statistics.median(onward):.2f} "
          f"step_median_ms={statistics.median(steps) * 1000:.0f} step_p95_ms={p95(steps) * 1000:.0f} "
          f"fan20_s={fan_s:.2f} steps={len(steps)}")


if __name__ == "__main__":
    main()
