"""Keys typed while the app starts are kept and sent (issue 21, item 5).

The terminal driver reads them before the first screen is composed: they wait in the app's
queue and are handled once it runs. They used to reach the conversation (Textual focuses the
first focusable widget), which dropped them; and an Enter typed while the terminal was still in
line mode arrives as a line feed (Ctrl+J), which made a new line instead of sending.
tests/test_app_e2e.py types into the real command in tmux for the same defect.

    python -m pytest tests/test_app_start_keys.py -q
"""

from __future__ import annotations

from pathlib import Path

from textual import events

from seqbot.app import app as app_module
from seqbot.app.app import SeqbotApp
from seqbot.app.widgets.message_input import MessageInput
from test_app import SIZE, run_async, wait_for
from test_app_fakes import FakeTranslator, fake_hub

KEY_NAMES = {" ": "space", ".": "full_stop", "\n": "ctrl+j"}


class EarlyTypist(SeqbotApp):
    """The app, with keys queued while its first screen is composed (before it is mounted and
    drawn), as the driver queues the keys a terminal had buffered."""

    CSS_PATH = Path(app_module.__file__).with_name(SeqbotApp.CSS_PATH)

    def __init__(self, typed: str) -> None:
        super().__init__(fake_hub())
        self.typed = typed

    def compose(self):
        yield from super().compose()
        for char in self.typed:
            self.post_message(events.Key(KEY_NAMES.get(char, char), char))


@run_async
async def test_a_message_typed_while_the_app_starts_is_sent():
    # "\n": Enter, as a terminal still in line mode delivers it (ICRNL turned the CR into a LF).
    app = EarlyTypist("Hello.\n")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.turns and app.turns[-1].finished)
        assert [turn.text for turn in app.turns] == ["Hello."]
        assert app.turns[0].reply == FakeTranslator().translate("Hello.", beam=app.beam).text
        assert app.query_one(MessageInput).value == ""


@run_async
async def test_text_typed_while_the_app_starts_waits_in_the_box_and_ctrl_j_later_is_a_new_line():
    app = EarlyTypist("Hi")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.query_one(MessageInput).value == "Hi")
        assert app.focused is app.query_one(MessageInput) and not app.turns
        await pilot.pause(0.1)  # after the first frame, Ctrl+J is a new line again
        await pilot.press("ctrl+j", "Y", "o")
        assert app.query_one(MessageInput).value == "Hi\nYo" and not app.turns
