"""StepButton: "play next month" that plays one month per press, however fast it is clicked.

A plain button sends every click to the server, and by the time the second click of a double click is
handled the page has already been redrawn for the new month, so it would play another. This button
sends the month the player was looking at with the press and ignores further presses until the server
has answered; the server plays a month only if the game is still at that month (``Game.step``).
"""

from __future__ import annotations

import ipyvue
import solara
import traitlets

TEMPLATE = """
<template>
  <v-btn color="primary" class="step-button" :disabled="disabled || pending" @click="press">{{ label }}</v-btn>
</template>
<script>
module.exports = {
  data() { return { pending: false }; },
  watch: { month() { this.pending = false; }, answered() { this.pending = false; } },
  methods: {
    press() {
      if (this.pending) return;
      this.pending = true;
      this.step(this.month);
    }
  }
}
</script>
"""


class _StepButton(ipyvue.VueTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("Step: play next month").tag(sync=True)
    month = traitlets.Int(0).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    answered = traitlets.Int(0).tag(sync=True)
    handler = traitlets.Any(None, allow_none=True)     # Python only: called with the month the press saw

    def vue_step(self, month) -> None:
        try:
            if self.handler is not None:
                self.handler(int(month))
        finally:
            self.answered += 1     # lets the button take the next press, whatever happened


@solara.component
def StepButton(month: int, on_step, disabled: bool = False, label: str = "Step: play next month"):
    """``on_step(month)`` is called with the month the page showed when the button was pressed."""
    _StepButton.element(month=month, handler=on_step, disabled=disabled, label=label)
