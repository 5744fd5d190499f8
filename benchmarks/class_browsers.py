"""A class game measured the way students use it: real Chromium pages over Solara's websockets.

    python benchmarks/class_browsers.py --pages 1 10 20 30 [--rounds 3]

For each N in ``--pages``: a fresh ``run.py play`` server and class-game file, a kato-2025 room (its
four playable seats, students filling them as teams), one Chromium browser with one context per
student (so they share nothing but the server) plus the instructor's page. The instructor advances
each round (over HTTP, at a known time); every page records, in the page itself, the moment its
markets chart shows the new month. Measured per N:

- round → page: from the advance to each page showing the new month (p50 / p95 / max over pages and
  rounds);
- server CPU per round: the server process's user + system CPU from the advance until every page is
  updated (read from /proc);
- Chromium CPU per round: the same for every browser process this script started (on this machine the
  pages' drawing shares the two cores with the server, so it bounds the latency);
- server memory after the rounds (VmRSS), and per page ((after the pages opened − before) / pages);
- server CPU for one student's draft (a change of the room between rounds, from the call until 1 s
  later: what every draft, submission or join costs while the class looks on);
- the machine's load average (1 min) when the row was measured.

Targets (this 2-core machine, Chromium on the same cores): round → every page p95 under 1.5 s at 20
pages and under 2.5 s at 30; server CPU per round at 30 pages under 0.6 s. The script prints the
table and says plainly whether each target is met. The machine may be shared: say so beside figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser import app_server, launch  # noqa: E402

SCENARIO = "kato-2025"
# A student's markets chart comes drawn by the server (``ui/components/svg_chart.py``); its title carries the
# class ``gtitle``, as a Plotly chart's title does, so the same selector finds the month on either.
SEEN_SCRIPT = """
() => {
  window.__seen = {};
  const look = () => {
    const t = document.querySelector('.chart-markets .gtitle');
    const m = t && /month (\\d+):/.exec(t.textContent || '');
    if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = Date.now();
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}
"""


def api(base: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(base + path, method="POST", data=json.dumps(body or {}).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_seconds(server_pid: int) -> float:
    """User + system CPU of every process this script started except the server: Chromium's share of
    the machine (its browser, renderer and GPU processes)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid == server_pid:
                return False
            if pid == os.getpid():
                return True
            pid = parents.get(pid, 1)
        return False

    total = 0.0
    for pid in parents:
        if pid != os.getpid() and ours(pid):
            try:
                total += cpu_seconds(pid)
            except OSError:
                continue
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(pages: int, rounds: int, playwright) -> dict:
    """One class of ``pages`` students on a fresh server: the figures for one row of the table."""
    os.environ.setdefault("TRADEWAR_CLASS_JOINS_PER_ADDRESS", "1000")   # every join comes from 127.0.0.1 here
    with tempfile.TemporaryDirectory() as folder, app_server(Path(folder) / "class.sqlite3") as (base, server):
        made = api(base, "/api/class/rooms", {"scenario": SCENARIO, "steps": rounds + 1, "round_seconds": 3600,
                                              "start": True})
        code, boss = made["code"], made["instructor_token"]
        seats = made["seats"]
        tokens = [api(base, f"/api/class/rooms/{code}/join", {"name": f"Student {i + 1}", "seat": seats[i % len(seats)]})
                  ["token"] for i in range(pages)]
        browser = launch(playwright)
        try:
            tabs = [_open(browser, f"{base}/class/instructor?room={code}&token={boss}", ".seat-monitor")]
            rss_before = rss_mb(server.pid)             # the app's modules are loaded by now
            tabs += [_open(browser, f"{base}/class?room={code}&token={t}", ".submit-moves") for t in tokens]
            time.sleep(2.0)
            rss_pages = rss_mb(server.pid)
            latencies, cpu, browser_cpu = [], [], []
            for month in range(1, rounds + 1):
                time.sleep(1.5)                               # the pages are idle again
                cpu_start, started = cpu_seconds(server.pid), time.time()
                browser_start = browser_cpu_seconds(server.pid)
                api(base, f"/api/class/rooms/{code}/advance", token=boss)
                seen = _wait_all(tabs[1:], month)
                cpu.append(cpu_seconds(server.pid) - cpu_start)
                browser_cpu.append(browser_cpu_seconds(server.pid) - browser_start)
                latencies += [t / 1000 - started for t in seen]
            change_cpu = _draft_cpu(base, code, tokens[0], server.pid)
            rss_after = rss_mb(server.pid)
        finally:
            browser.close()
    lat = np.array(latencies)
    return {"pages": pages, "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)),
            "max": float(lat.max()), "cpu": float(np.mean(cpu)), "rss": rss_after,
            "browser_cpu": float(np.mean(browser_cpu)), "load": os.getloadavg()[0],
            "per_page": (rss_pages - rss_before) / pages, "change_cpu": change_cpu}


def _draft_cpu(base: str, code: str, token: str, server_pid: int, times: int = 3, settle_s: float = 1.0) -> float:
    """Server CPU for one student changing their seat's draft while the whole class looks on (mean of
    ``times``, each from the call until ``settle_s`` later): in a real round, every student's draft and
    submission changes the room, not only the instructor's advance."""
    used = []
    for _ in range(times):
        time.sleep(settle_s)
        start = cpu_seconds(server_pid)
        api(base, f"/api/class/rooms/{code}/draft", {"decisions": []}, token=token)
        time.sleep(settle_s)
        used.append(cpu_seconds(server_pid) - start)
    return float(np.mean(used))


def _open(browser, url: str, ready: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(ready, timeout=180_000)
    page.wait_for_selector(".chart-markets .gtitle", timeout=180_000)
    page.evaluate(SEEN_SCRIPT)
    return page


def _wait_all(pages, month: int, timeout_s: float = 120.0) -> list[float]:
    """When each page showed ``month`` (epoch ms, read from the pages once all have it)."""
    deadline = time.time() + timeout_s
    pending = list(pages)
    while pending and time.time() < deadline:
        pending = [p for p in pending if p.evaluate(f"() => window.__seen && window.__seen['{month}']") is None]
        if pending:
            time.sleep(0.05)
    if pending:
        shown = [p.evaluate("() => [...document.querySelectorAll('.class-heading, .chart-markets .gtitle')]"
                            ".map(e => e.textContent.trim()).join(' / ')") for p in pending]
        raise RuntimeError(f"{len(pending)} page(s) never showed month {month}; they show: {shown}")
    return [p.evaluate(f"() => window.__seen['{month}']") for p in pages]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 10, 20, 30])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        for pages in args.pages:
            rows.append(measure(pages, args.rounds, playwright))
            r = rows[-1]
            print(f"pages={r['pages']} round_to_page_p50_s={r['p50']:.2f} p95_s={r['p95']:.2f} max_s={r['max']:.2f} "
                  f"server_cpu_per_round_s={r['cpu']:.2f} server_rss_mb={r['rss']:.0f} "
                  f"server_mb_per_page={r['per_page']:.1f} chromium_cpu_per_round_s={r['browser_cpu']:.2f} "
                  f"server_cpu_per_draft_s={r['change_cpu']:.3f} load_average_1min={r['load']:.1f}", flush=True)
    print("\n| student pages | round → page p50 / p95 / max | server CPU per round | Chromium CPU per round "
          "| server memory after the rounds | server memory per page | server CPU per student's draft | load average |"
          "\n|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['pages']} | {r['p50']:.2f} / {r['p95']:.2f} / {r['max']:.2f} s | {r['cpu']:.2f} s | "
              f"{r['browser_cpu']:.2f} s | {r['rss']:.0f} MB | {r['per_page']:.1f} MB | {r['change_cpu']:.3f} s | "
              f"{r['load']:.1f} |")
    targets = [(20, "p95", 1.5, "round → every page p95 under 1.5 s at 20 pages"),
               (30, "p95", 2.5, "round → every page p95 under 2.5 s at 30 pages"),
               (30, "cpu", 0.6, "server CPU per round under 0.6 s at 30 pages")]
    for pages, key, limit, words in targets:
        row = next((r for r in rows if r["pages"] == pages), None)
        verdict = "not measured" if row is None else ("MET" if row[key] < limit else "NOT MET")
        shown = "" if row is None else f" ({row[key]:.2f} s)"
        print(f"target: {words}: {verdict}{shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
