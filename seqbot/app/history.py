"""Shell-like recall of earlier inputs with Up and Down.

    history = InputHistory()
    history.add("Hello.")
    history.previous(current="draft")   # -> "Hello."
    history.next()                      # -> "draft" (what was being typed is kept)
"""

from __future__ import annotations


class InputHistory:
    def __init__(self, limit: int = 500) -> None:
        self.entries: list[str] = []
        self.limit = limit
        self._position: int | None = None  # None: not browsing
        self._draft = ""

    def add(self, text: str) -> None:
        if text and (not self.entries or self.entries[-1] != text):
            self.entries.append(text)
            del self.entries[: -self.limit]
        self._position = None

    def previous(self, current: str) -> str | None:
        """The entry before the one shown, or None when there is nothing older."""
        if not self.entries:
            return None
        if self._position is None:
            self._draft = current
            self._position = len(self.entries)
        if self._position == 0:
            return None
        self._position -= 1
        return self.entries[self._position]

    def next(self) -> str | None:
        """The entry after the one shown; past the newest, the draft that was being typed."""
        if self._position is None:
            return None
        self._position += 1
        if self._position >= len(self.entries):
            self._position = None
            return self._draft
        return self.entries[self._position]
