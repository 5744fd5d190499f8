"""Start the real app server and drive Debian's Chromium through Playwright (see ../shared/STACK.md).

Used by the browser tests and by ``benchmarks/app_speed.py``, so both measure the same thing.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TRADEWAR_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def app_server(class_db: Path, port: int | None = None, timeout_s: float = 60.0, extra_args: tuple[str, ...] = ()):
    """``python run.py play`` on a free loopback port; yields the base URL and stops the server after."""
    port = port or free_port()
    log = open(class_db.with_suffix(".server.log"), "w")
    process = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "play", "--port", str(port),
                                "--class-db", str(class_db), *extra_args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_for_port(port, process, timeout_s)
        yield f"http://127.0.0.1:{port}", process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with status {process.returncode} before listening")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the app server did not listen on port {port} within {timeout_s:.0f} s")


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian's Chromium is missing: apt-get install -y chromium (.ci/run does this)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Watched:
    """A page with every request, failed request and bad response recorded, to prove the app is offline."""

    def __init__(self, browser, base_url: str, viewport=(1500, 1000)):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.requests, self.failures, self.errors = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failures.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failures.append(f"{r.url} ({r.status})"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str, ready: str, timeout_ms: int = 60_000) -> float:
        started = time.perf_counter()
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector(ready, timeout=timeout_ms)
        return time.perf_counter() - started

    def foreign_hosts(self) -> set[str]:
        own = self.base_url.split("//", 1)[1]
        hosts = {url.split("/")[2] for url in self.requests if url.startswith(("http://", "https://", "ws://"))}
        return hosts - {own}

    def close(self) -> None:
        self.context.close()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    field = page.locator(".v-select", has=page.locator(f"label:text-is('{label}')")).first
    field.click()
    exact = re.compile(f"^\\s*{re.escape(option)}\\s*$")
    page.locator(".menuable__content__active .v-list-item", has_text=exact).first.click()


def type_into(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True).first
    box.fill(text)
    box.press("Enter")


def chart_title(page, chart_class: str) -> str:
    return page.locator(f".{chart_class} .gtitle").first.text_content() or ""


def wait_text(page, selector: str, text: str, timeout_ms: int = 20_000) -> None:
    """Wait until some element matching ``selector`` shows ``text`` (panels may redraw after the heading)."""
    page.wait_for_function("([s, t]) => [...document.querySelectorAll(s)].some(e => (e.textContent || '').includes(t))",
                           arg=[selector, text], timeout=timeout_ms)


def wait_for_month(page, month: int, timeout_ms: int = 30_000) -> None:
    """Wait until the markets chart is redrawn for ``month`` (its title names the month)."""
    page.wait_for_function(
        "m => { const t = document.querySelector('.chart-markets .gtitle'); return t && t.textContent.includes('month ' + m + ':'); }",
        arg=month, timeout=timeout_ms)


def shot(tab: Watched, name: str, at: str | None = None) -> None:
    """Save a screenshot to ``test-artifacts/`` (or ``$TRADEWAR_ARTIFACTS``); with ``at``, of that part of
    the page only (the app scrolls inside its layout, so a full-page shot shows just the window)."""
    ARTIFACTS.mkdir(exist_ok=True)
    if at:
        tab.page.locator(at).first.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    else:
        tab.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
