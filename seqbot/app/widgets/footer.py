"""Textual's Footer, without the memory it keeps for every key it ever showed.

Textual's Footer rebuilds its keys whenever the bindings may have changed (the app asks after each
message: Stop comes and goes), and each new FooterKey registers a watcher of the footer's `compact`
flag. Textual drops a removed key's watcher only when `compact` changes, which in a long
conversation it never does: every key ever shown stayed in memory with its rendered lines (about a
third of the 0.8 MB a message of issue 21), and each new watcher was checked against all the old
ones. This footer forgets the removed keys' watchers after each rebuild.
"""

from __future__ import annotations

from textual.widgets import Footer

# Where Textual (textual/reactive.py, `_watch`) keeps the watchers of an object's reactives.
WATCHERS_ATTRIBUTE = "__watchers"


class SeqbotFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        self.forget_removed_keys()

    def forget_removed_keys(self) -> int:
        """Drop the watchers of widgets no longer in the DOM; returns how many were dropped."""
        watchers = getattr(self, WATCHERS_ATTRIBUTE, None)
        if not isinstance(watchers, dict):
            return 0  # another Textual: nothing to do here
        dropped = 0
        for entries in watchers.values():
            kept = [(node, callback) for node, callback in entries if getattr(node, "is_attached", True)]
            dropped += len(entries) - len(kept)
            entries[:] = kept
        return dropped
