"""Pilot tests of stopping, the queue, multi-line input, settings, kept conversations, layout
and the app defects of issue 14 (F3 freeze, fast typing, a reply hidden below the input).

    python -m pytest tests/test_app_features.py -q
"""

from __future__ import annotations

import threading

from textual import events
from textual.errors import NoWidget
from textual.widgets import Checkbox, Input, OptionList, Static

from seqbot.app.app import Conversation, SeqbotApp
from seqbot.app.modes.generate import GENERATE_LENGTH, until_word_boundary
from seqbot.app.screens.attention import AttentionScreen, heatmap_text
from seqbot.app.screens.conversations import ConversationsScreen
from seqbot.app.screens.settings import SettingsScreen
from seqbot.app.settings import CHAT_BEAM_WIDTH, AppSettings
from seqbot.app.store import ConversationStore
from seqbot.app.widgets.message_input import MessageInput
from seqbot.app.widgets.side_panel import SidePanel
from test_app import SIZE, go_greedy, panel_text, run_async, send, send_and_wait, turn_texts, wait_for
from test_app_fakes import FakeChatbot, FakeGenerator, FakeTranslator, fake_hub, gated_app


def burst(app, keys: list[str]) -> None:
    """Deliver keys in one go, as a terminal does for `tmux send-keys` or a paste without
    bracketed paste: no waiting between them."""
    names = {".": "full_stop", " ": "space", "\r": "enter"}
    for char in keys:
        event = events.Key(names.get(char, char), char)
        event.set_sender(app)
        app._driver.send_message(event)


@run_async
async def test_fast_typing_sends_exactly_what_was_typed_before_each_enter():
    app = SeqbotApp(fake_hub())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, list("One.\rTwo.\r"))
        await wait_for(pilot, lambda: len(app.turns) == 2 and app.turns[-1].finished)
        assert [turn.text for turn in app.turns] == ["One.", "Two."]
        assert app.query_one(MessageInput).value == ""


@run_async
async def test_escape_stops_the_reply_keeps_its_text_and_the_queue_goes_on():
    app, translator = gated_app()
    async with app.run_test(size=SIZE) as pilot:
        await go_greedy(pilot)
        await send(pilot, "Hello.")
        await send(pilot, "I love this movie.")
        first, second = app.turns
        assert "I love this movie." in str(app.query_one("#queue", Static).content)  # the queue is shown
        translator.gate.release(3)
        await wait_for(pilot, lambda: first.reply == "Bon")
        await pilot.press("escape")
        assert first.status == "cancelled" and first.reply == "Bon"
        assert "stopped" in turn_texts(app, 1)["reply-meta"] and "Bon" in turn_texts(app, 1)["reply"]
        assert second.status == "running"  # the next message did not wait for the stopped one
        translator.gate.release(1000)
        await wait_for(pilot, lambda: second.finished)
        assert second.reply == FakeTranslator().translate("I love this movie.").text
        assert first.reply == "Bon"  # the stopped worker wrote nothing more
        stored = {turn.number: turn for _, turn in app.store.turns(app.conversation_id)}
        assert stored[1].status == "cancelled" and stored[1].reply == "Bon"


def footer_keys(app) -> set[str]:
    from textual.widgets._footer import FooterKey

    return {f"{key.key_display or key.key} {key.description}".lower() for key in app.query(FooterKey)}


def notices(app) -> str:
    return " | ".join(f"{n.title}: {n.message}" for n in app._notifications)


@run_async
async def test_first_escape_stops_the_reply_only_and_a_second_at_once_clears_the_queue():
    app, translator = gated_app()
    async with app.run_test(size=(SeqbotApp.WIDE_FOOTER, 40)) as pilot:
        await go_greedy(pilot)
        for text in ("Hello.", "One.", "Two."):
            await send(pilot, text)
        assert "2 queued · Esc twice clears" in str(app.query_one(MessageInput).border_subtitle)
        await wait_for(pilot, lambda: "esc stop" in footer_keys(app))
        await pilot.press("escape")  # the box is empty, as it always is right after Enter
        first, second, third = app.turns
        assert (first.status, second.status, third.status) == ("cancelled", "running", "queued")
        assert "Stopped reply 1" in notices(app) and "Esc again" in notices(app)
        await wait_for(pilot, lambda: "esc clear" in footer_keys(app))  # the footer says what Esc does now
        assert "esc stop" not in footer_keys(app)
        await pilot.press("escape")
        assert [turn.status for turn in app.turns] == ["cancelled"] * 3
        assert not app.pending and not app.query_one("#queue").display
        assert "Queue cleared" in notices(app) and "2, 3 will not be answered" in notices(app)
        assert "removed from the queue" in turn_texts(app, 3)["reply-meta"]
        translator.gate.release(1000)
        turn = await send_and_wait(pilot, "Hello.")
        assert turn.reply == "Bonjour."
        assert (first.reply, second.reply) == ("", "")  # the stopped workers wrote nothing more


@run_async
async def test_escape_after_the_moment_stops_the_next_reply_and_the_queue_goes_on():
    app, translator = gated_app()
    app.queue_clear_seconds = 0.2
    async with app.run_test(size=(SeqbotApp.WIDE_FOOTER, 40)) as pilot:
        for text in ("Hello.", "One.", "Two."):
            await send(pilot, text)
        await pilot.press("escape")
        await pilot.pause(0.3)
        await wait_for(pilot, lambda: "esc stop" in footer_keys(app))  # back to Stop once the moment is over
        await pilot.press("escape")
        first, second, third = app.turns
        assert (first.status, second.status, third.status) == ("cancelled", "cancelled", "running")
        assert "Stopped reply 2" in notices(app) and "Queue cleared" not in notices(app)
        translator.gate.release(1000)
        await wait_for(pilot, lambda: third.finished)
        assert third.reply == FakeTranslator().translate("Two.").text


@run_async
async def test_new_line_key_paste_and_line_by_line_translation():
    app = SeqbotApp(fake_hub())
    async with app.run_test(size=SIZE) as pilot:
        message_input = app.query_one(MessageInput)
        await pilot.press("H", "i", "ctrl+j", "Y", "o")
        assert message_input.value == "Hi\nYo"
        message_input.value = ""
        message_input.post_message(events.Paste("Hello.\r\nI love this movie."))
        await pilot.pause()
        assert message_input.value == "Hello.\nI love this movie."  # the paste keeps its lines
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.turns and app.turns[-1].finished and app.active is None)
        turn = app.turns[-1]
        fake = FakeTranslator()
        assert turn.reply == "\n".join(fake.translate(line, beam=app.beam).text for line in ("Hello.", "I love this movie."))
        assert turn.source == "Hello.\nI love this movie."
        # One attention map over both lines: each line looks only at its own characters.
        source, attention = app.attention_of(turn)
        assert source == turn.source and len(attention) == len(turn.reply) and len(attention[0]) == len(turn.source)
        assert all(value == 0.0 for value in attention[0][len("Hello."):])
        assert "Ctrl+J" in message_input.placeholder


@run_async
async def test_newest_reply_is_scrolled_into_view_unless_the_person_scrolled_up():
    translator = FakeTranslator(max_source_length=10)  # every long message gets a notice
    app = SeqbotApp(fake_hub(translator))
    async with app.run_test(size=(80, 24)) as pilot:
        conversation = app.query_one(Conversation)
        assert app.beam > 1  # as reported: a beam reply (the default) with a notice
        for number in range(5):
            await send_and_wait(pilot, f"message number {number} is long")
        last = app.views[5]
        assert "reads at most" in turn_texts(app, 5)["notice"]
        await wait_for(pilot, lambda: conversation.scroll_y == conversation.max_scroll_y > 0)
        await pilot.pause()
        assert last.region.bottom <= conversation.region.bottom  # not hidden below the input

        translator.gate = threading.Semaphore(0)
        await send(pilot, "Hello.")
        conversation.scroll_home(animate=False)  # the person scrolls up while it streams
        await wait_for(pilot, lambda: conversation.scroll_y == 0)
        translator.gate.release(1000)
        await wait_for(pilot, lambda: app.turns[-1].finished and app.active is None)
        await pilot.pause(0.1)
        assert conversation.scroll_y == 0


def test_large_heatmaps_are_binned_to_what_the_screen_shows():
    source, target = "a" * 1000, "b" * 900
    attention = [[1.0 if column == row else 0.0 for column in range(1000)] for row in range(900)]
    text = heatmap_text(source, target, attention, max_columns=50, max_rows=40).plain
    header, *rows = text.splitlines()
    assert len(header.split()) == 50
    assert sum(1 for row in rows if row.startswith(" b")) == 40
    assert "1000 × 900 characters shown as 50 × 40 cells" in text
    small = heatmap_text("ab", "xy", [[0.9, 0.1], [0.2, 0.8]], max_columns=50, max_rows=40).plain
    assert small.splitlines()[0].split() == ["a", "b"] and "shown as" not in small


@run_async
async def test_attention_screen_opens_at_once_and_keys_typed_there_reach_the_input():
    translator = FakeTranslator(max_source_length=1000)
    app = SeqbotApp(fake_hub(translator))
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, " ".join(f"w{n}" for n in range(150)))  # ~600 characters
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen))
        await wait_for(pilot, lambda: "low" in str(app.screen.query_one("#heatmap", Static).content))
        header = str(app.screen.query_one("#heatmap", Static).content).splitlines()[0]
        assert len(header.split()) <= SIZE[0] // 2  # binned to the screen's width
        await pilot.press("o", "k")
        await wait_for(pilot, lambda: not isinstance(app.screen, AttentionScreen))
        await pilot.pause()
        assert app.query_one(MessageInput).value == "ok"
        # Typed in one burst while the map is open, Enter included: the message is sent whole.
        app.query_one(MessageInput).value = ""
        await pilot.press("ctrl+l")
        await send_and_wait(pilot, "Hello.")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen))
        burst(app, list("Hi.\r"))
        await wait_for(pilot, lambda: len(app.turns) == 2 and app.turns[-1].finished)
        assert app.turns[-1].text == "Hi." and not isinstance(app.screen, AttentionScreen)


@run_async
async def test_settings_screen_changes_and_keeps_decoding_classifiers_and_panel(tmp_path):
    store = ConversationStore.open(tmp_path)
    app = SeqbotApp(fake_hub(), store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        screen.query_one("#beam-width", Input).value = "0"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SettingsScreen)  # refused, with the reason
        assert "Beam width must be" in str(screen.query_one("#beam-width-error", Static).content)
        screen.query_one("#beam-width", Input).value = "8"
        screen.query_one("#top-k", Input).value = "10"
        screen.query_one("#classifier-spam_nb", Checkbox).value = False
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        assert app.settings.beam_width == 8 and app.settings.top_k == 10
        assert app.beam == 8  # translate mode's beam search follows the new width
        turn = await send_and_wait(pilot, "Win a free cruise now!")
        assert turn.beam == 8 and "spam_rnn" in panel_text(app) and "spam_nb" not in panel_text(app)
        await pilot.press("f5")
        assert not app.query_one(SidePanel).display
        app.theme = "nord"  # from Textual's own Theme command; kept too
    saved = AppSettings.from_dict(ConversationStore.open(tmp_path).settings())
    assert (saved.beam_width, saved.top_k, saved.disabled_classifiers, saved.side_panel, saved.theme) == (
        8, 10, ["spam_nb"], False, "nord")

    again = SeqbotApp(fake_hub(), store=ConversationStore.open(tmp_path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not again.query_one(SidePanel).display and again.settings.beam_width == 8
        assert again.beam == 8  # translate mode starts at the saved width
        assert again.theme == "nord"


def visible_text_of(screen, widget) -> bool:
    """Whether some cell of `widget` is drawn on the screen (not scrolled out or covered)."""
    width, height = screen.size
    return any(screen.get_widget_at(x, y)[0] is widget for y in range(height) for x in range(width))


@run_async
async def test_a_wrong_setting_is_shown_under_its_field_at_80_by_24():
    """F6, beam width 230, Ctrl+S: the message is on screen next to the field, which has the focus
    (it was written at the bottom of the dialog, below what 24 rows show); the labels wrap."""
    app = SeqbotApp(fake_hub())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        edge = screen.query_one("#settings-box").scrollable_content_region.right
        for label in screen.query("#settings-box Label"):  # no label runs past the dialog's edge
            assert label.region.right <= edge, f"cut at 80 columns: {label.content}"
        for field_id, wrong, message in (("top-k", "-3", "Top-k must be"), ("beam-width", "230", "Beam width must be")):
            screen.query_one(f"#{field_id}", Input).value = wrong
            await pilot.pause()  # the field's Changed event first: it clears the field's message
            await pilot.press("ctrl+s")
            await pilot.pause(0.1)
            assert isinstance(app.screen, SettingsScreen) and app.focused is screen.query_one(f"#{field_id}", Input)
            shown = [widget for widget in screen.query(Static) if message.lower() in str(widget.content).lower() and widget.display]
            assert len(shown) == 1 and visible_text_of(screen, shown[0]), f"{message!r} is not on screen"
            assert visible_text_of(screen, app.focused)
            below = screen.get_widget_at(app.focused.region.x, app.focused.region.bottom)[0]
            assert below is shown[0]  # right under its field
        assert str(shown[0].content) == "Beam width must be a whole number from 1 to 32."
        screen.query_one("#beam-width", Input).value = "23"
        await pilot.pause()
        assert not shown[0].display  # gone once the field changes
        screen.query_one("#top-k", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        assert app.settings.beam_width == 23


def test_palette_offers_every_setting():
    titles = [title for title, _, _ in SeqbotApp(fake_hub()).palette_commands()]
    for wanted in ("Beam width: 8", "Temperature: 1.2", "Top-k: 10", "Classifier spam_nb: turn off",
                   "Side panel: show / hide", "Settings", "Conversations"):
        assert wanted in titles


def test_chat_default_beam_is_the_chat_engines():
    from seqbot.engine.chat import CHAT_DECODING

    assert CHAT_BEAM_WIDTH == CHAT_DECODING.beam


@run_async
async def test_chat_uses_the_chat_models_own_decoding_settings():
    class Decoding:
        beam = 3

    class ConfiguredChatbot(FakeChatbot):
        decoding = Decoding()  # as a checkpoint whose decoding settings say beam 3

    hub = fake_hub()
    hub._slots["chat"].loader = ConfiguredChatbot
    app = SeqbotApp(hub, mode="chat")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: hub.is_ready("chat"))
        await pilot.pause()
        turn = await send_and_wait(pilot, "Hi")
        assert turn.beam == 3 and "beam 3" in turn_texts(app, 1)["reply-meta"]
        await pilot.press("f2", "f2", "f2")  # back in chat after the other modes
        assert app.beam == 3
        await pilot.press("ctrl+b", "ctrl+b")  # greedy, then back to the model's beam
        assert app.beam == 3


@run_async
async def test_conversations_screen_searches_reopens_and_deletes(tmp_path):
    store = ConversationStore.open(tmp_path)
    app = SeqbotApp(fake_hub(), store=store)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "Win a free cruise now!")
        first = app.conversation_id
        await pilot.press("ctrl+l")
        await send_and_wait(pilot, "Hello.")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press(*"cruise")
        await pilot.pause(0.1)
        assert options.option_count == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConversationsScreen))
        assert app.conversation_id == first and [t.text for t in app.turns] == ["Win a free cruise now!"]
        assert turn_texts(app, 1)["reply"] == FakeTranslator().translate("Win a free cruise now!", beam=app.beam).text
        turn = await send_and_wait(pilot, "Hello.")  # the reopened conversation goes on
        assert turn.number == 2 and len(store.turns(first)) == 2

        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        await pilot.press(*"cruise")
        await pilot.pause(0.1)
        await pilot.press("ctrl+d")
        assert store.exists(first)  # the first press only asks
        await pilot.press("ctrl+d")
        assert not store.exists(first)
        await pilot.press("escape")
        await pilot.pause()
        assert app.turns == []  # the open conversation was the deleted one


@run_async
async def test_input_history_survives_a_restart(tmp_path):
    app = SeqbotApp(fake_hub(), store=ConversationStore.open(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "Hello.")
    again = SeqbotApp(fake_hub(), store=ConversationStore.open(tmp_path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("up")
        assert again.query_one(MessageInput).value == "Hello."


@run_async
async def test_copy_says_osc52_and_how_to_enable_it_under_tmux():
    app = SeqbotApp(fake_hub())
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "Hello.")
        await pilot.press("ctrl+y")
        message = app._notifications.last.message if hasattr(app._notifications, "last") else list(app._notifications)[-1].message
        assert "OSC 52" in message and "set -g set-clipboard on" in message
        assert "Copied" not in message


def test_generated_text_ends_on_a_word_boundary():
    full = "the quick brown fox jumps over the lazy dog " * 10
    text = "".join(until_word_boundary(iter(list(full)), 50))
    assert len(text) >= 50 and full.startswith(text)
    assert full[len(text)] == " " and text[-1] != " "  # it stopped at the end of a word
    no_spaces = "".join(until_word_boundary(iter("x" * 500), 50, slack=10))
    assert len(no_spaces) == 60  # no boundary at all: stops after the slack


@run_async
async def test_generate_mode_reply_does_not_stop_mid_word():
    class WordyGenerator(FakeGenerator):
        def stream(self, prompt, temperature=0.8, length=200, top_k=None, seed=None):
            yield from ("lorem ipsum dolor sit amet " * 30)[:length]

    hub = fake_hub()
    hub._slots["generator"].loader = WordyGenerator
    app = SeqbotApp(hub, mode="generate")
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, "The sea")
        assert len(turn.reply) >= GENERATE_LENGTH
        assert all(word in {"lorem", "ipsum", "dolor", "sit", "amet"} for word in turn.reply.split())


@run_async
async def test_screenshot_works_without_a_downloads_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home-without-downloads"))
    app = SeqbotApp(fake_hub(), export_dirs=[tmp_path / "exports"])
    async with app.run_test(size=SIZE) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Screenshot")
        command.callback()
        await wait_for(pilot, lambda: list((tmp_path / "exports").glob("*.svg")))
        [svg] = (tmp_path / "exports").glob("*.svg")
        assert any(str(svg) in n.message for n in app._notifications)
        titles = [c.title for c in app.get_system_commands(app.screen)] + [t for t, _, _ in app.palette_commands()]
        assert len(titles) == len(set(titles))  # no entry twice


@run_async
async def test_notifications_never_cover_the_input():
    for size in ((80, 24), (200, 60)):
        app = SeqbotApp(fake_hub())
        async with app.run_test(size=size, notifications=True) as pilot:
            for number in range(4):
                app.notify(f"notice {number} " + "word " * 30, timeout=30)
            await pilot.pause(0.2)
            input_region = app.query_one(MessageInput).region
            toasts = app.screen.query("Toast")
            assert toasts
            for toast in toasts:
                try:
                    placed = app.screen.find_widget(toast)
                except NoWidget:
                    continue  # clipped away entirely: not on screen

                shown = placed.region.intersection(placed.clip)  # what is on screen of it
                assert not shown.overlaps(input_region), (size, shown, input_region)
