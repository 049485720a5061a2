"""The conversations list (Ctrl+O) shows what a search matched: the message or the reply that
matched, the words around the match (issue 21 item 9: "ÉTÉ" matched a reply's "êtes" but the
list showed the English message; "stati" showed a snippet cut before "station").

    python -m pytest tests/test_app_history_search.py -q
"""

from __future__ import annotations

from textual.widgets import Input, OptionList

from seqbot.app.app import SeqbotApp
from seqbot.app.conversation import Turn
from seqbot.app.screens.conversations import ConversationsScreen
from seqbot.app.search_snippet import find_match
from seqbot.app.store import ConversationStore
from test_app import SIZE, run_async, wait_for
from test_app_fakes import fake_hub

LONG = "I would like to know where the nearest train station is, please, and how far it is from here."
CONVERSATIONS = [("Hello.", "Vous êtes ici."), (LONG, "Je voudrais savoir."), ("Win a free cruise now!", "Gagnez !")]


def test_matching_ignores_case_and_accents_and_finds_word_starts():
    assert find_match("Vous êtes ici.", "ÉTÉ") == (5, 9)
    assert find_match("Win a free cruise now!", "free cru") == (6, 10)
    assert find_match("a cruise, ruined", "rui") == (10, 16)  # a word's start first, as the index matches
    assert find_match("Win a free cruise now!", "ruise") == (12, 17)  # else within a word (the LIKE fallback)


@run_async
async def test_the_list_shows_the_matching_text_around_the_match(tmp_path):
    store = ConversationStore.open(tmp_path)
    for text, reply in CONVERSATIONS:
        turn = Turn(number=1, mode="translate", text=text, reply=reply, status="done")
        store.update_message(store.add_message(store.new_conversation(), turn), turn)
    app = SeqbotApp(fake_hub(), store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        options = app.screen.query_one(OptionList)
        for query, shown in (("ÉTÉ", "“Vous êtes ici.”"), ("stati", "station"), ("free cru", "free cruise")):
            app.screen.query_one(Input).value = query
            await wait_for(pilot, lambda: options.option_count == 1)
            await pilot.pause()
            prompt = options.get_option_at_index(0).prompt.plain
            assert shown in prompt, (query, prompt)
