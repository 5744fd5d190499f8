"""The Lab in Chromium: a student's own rule from ``play --rules FILE``, labels in words with units, a note
when a change leaves the run identical, and a comparison over several seeds drawn as bands."""

import subprocess
import sys

import pytest

from tests.support.browser import ROOT, Watched, app_server, choose, shot, type_into

pytestmark = pytest.mark.slow
OWN_RULES = "examples/rules/cautious_seller.py"


@pytest.fixture(scope="module")
def rules_server(tmp_path_factory):
    """A server started as a student would on their own machine: ``play --rules FILE``."""
    with app_server(tmp_path_factory.mktemp("lab") / "class.sqlite3", extra_args=("--rules", OWN_RULES)) as (url, _):
        yield url


@pytest.fixture
def tab(browser, rules_server):
    watched = Watched(browser, rules_server)
    yield watched
    watched.close()


def test_play_rules_puts_a_students_rule_in_the_labs_menus_and_runs_it(tab):
    tab.open("/lab?scenario=kato-2025", ".lab-run")
    page = tab.page
    choose(page, "Treasury rule of JP", "cautious_seller")
    page.wait_for_selector(f".rule-summary:has-text('Your rule, from {OWN_RULES}')")
    page.wait_for_selector(".v-label:has-text('Size of each sale (USD bn a month, 1 to 500)')")
    page.locator(".lab-run").click()
    page.wait_for_selector(".lab-results [data-draws='1']", timeout=90_000)
    assert "Experiment" in page.locator(".lab-results").inner_text()


def test_lab_labels_are_words_with_units(tab):
    tab.open("/lab?scenario=kato-2025", ".lab-run")
    body = tab.page.inner_text("body")
    assert "Flow impact (bp of 10-year yield" in body        # not "bonds.flow_impact_bp_per_pct_supply (...)"
    assert "Japan (JP)" in body and "share believed, 0 to 1" in body
    choose(tab.page, "Treasury rule of JP", "threaten_then_sell")
    tab.page.wait_for_selector(".v-label:has-text('Size of the threatened sale (USD bn, 1 to 5000)')")
    shot(tab, "lab-labels")


def test_an_unchanged_run_says_it_is_identical_and_why(tab):
    tab.open("/lab?scenario=kato-2025", ".lab-run")
    page = tab.page
    type_into(page, "Months", "6")
    page.locator(".lab-run").click()
    page.wait_for_selector(".lab-identical", timeout=90_000)
    assert "identical to the scenario as written" in page.locator(".lab-identical").inner_text()


def test_several_seeds_are_compared_as_bands(tab):
    tab.open("/lab?scenario=kato-2025", ".lab-run")
    page = tab.page
    type_into(page, "Months", "6")
    type_into(page, "Seeds to compare (1 to 20)", "4")
    choose(page, "Treasury rule of JP", "threaten_then_sell")
    page.locator(".lab-run").click()
    page.wait_for_selector(".lab-score-bands", timeout=120_000)
    page.wait_for_function("() => document.querySelector('.lab-results').textContent.includes('5-95% across 4 seeds')")
    assert "over 4 seeds" in page.locator(".lab-score-bands").inner_text()
    shot(tab, "lab-seed-bands", at=".lab-results")


def test_play_rules_refuses_a_server_open_to_the_network():
    done = subprocess.run([sys.executable, "run.py", "play", "--host", "0.0.0.0", "--rules", OWN_RULES],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "--rules is for local use only" in done.stderr + done.stdout


def test_the_calibration_preset_is_a_lab_control(tab):
    """The range of the evidence on price impact is something to try, not hide: low, central or high."""
    tab.open("/lab?scenario=kato-2025", ".lab-run")
    page = tab.page
    choose(page, "Price impact of Treasury sales and interventions (calibration preset)", "high")
    page.wait_for_selector(".lab-run:has-text('1 change')")
    type_into(page, "Months", "6")
    choose(page, "Treasury rule of JP", "threaten_then_sell")
    page.locator(".lab-run").click()
    page.wait_for_selector(".lab-results [data-draws='1']", timeout=90_000)
    shot(tab, "lab-preset-high", at=".lab-results")
