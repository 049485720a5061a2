"""Command palette (Ctrl+P) entries for every seqbot action.

The app lists its actions in `SeqbotApp.palette_commands()` as (title, help, action);
this provider offers them all on an empty query and fuzzy-matches them otherwise.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class SeqbotCommands(Provider):
    def _commands(self):
        return self.app.palette_commands()

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, action), text=title, help=help_text)
