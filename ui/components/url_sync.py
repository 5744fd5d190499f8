"""UrlSync: keep the address bar equal to the game's link without re-rendering the page.

Pushing through Solara's router would re-render every component on the page at each step (a location
change is global). The game already knows its state, so the page only needs the browser to show the
link: this widget calls ``history.replaceState`` whenever ``url`` changes. Reloading or sharing the
address then restores the game (``ui/state.py``).
"""

from __future__ import annotations

import ipyvue
import solara
import traitlets

TEMPLATE = """
<template><span class="url-sync" style="display: none" :data-url="url"></span></template>
<script>
module.exports = {
  mounted() { this.sync(); },
  watch: { url() { this.sync(); } },
  methods: {
    sync() {
      if (this.url && window.location.pathname + window.location.search !== this.url) {
        window.history.replaceState(window.history.state, "", this.url);
      }
    }
  }
}
</script>
"""


class _UrlSyncWidget(ipyvue.VueTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    url = traitlets.Unicode("").tag(sync=True)


@solara.component
def UrlSync(url: str):
    _UrlSyncWidget.element(url=url)


SCROLL_TEMPLATE = """
<template><span class="scroll-to-top" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    const top = () => {
      for (let el = this.$el; el; el = el.parentElement) { if (el.scrollTop) el.scrollTop = 0; }
      window.scrollTo(0, 0);
    };
    top();
    setTimeout(top, 50);
  }
}
</script>
"""


class _ScrollToTopWidget(ipyvue.VueTemplate):
    template = traitlets.Unicode(SCROLL_TEMPLATE).tag(sync=True)


@solara.component
def ScrollToTop():
    """Put on a page that must open at its top: a page change inside the app keeps the scroll position of
    the page before (a student who picked a role far down the Scenarios list would land mid-page)."""
    _ScrollToTopWidget.element()
