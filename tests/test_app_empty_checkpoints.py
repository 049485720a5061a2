"""`seqbot --checkpoints EMPTY_FOLDER`: the side panel says no classifier loaded, in red, instead
of a green "classifiers ready (0 models, 5 unavailable)" (issue 21 item 9), on the real loaders.

    python -m pytest tests/test_app_empty_checkpoints.py -q
"""

from __future__ import annotations

from textual.widgets import Static

from seqbot.app.app import SeqbotApp
from seqbot.app.engines import EngineHub
from test_app import SIZE, panel_text, run_async, wait_for


@run_async
async def test_an_empty_checkpoint_folder_shows_that_no_classifier_loaded(tmp_path):
    app = SeqbotApp(EngineHub.from_checkpoints(tmp_path, classifiers=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.hub.status("classifiers") not in ("loading", "not loaded"), timeout=30)
        await wait_for(pilot, lambda: "none loaded" in panel_text(app))
        shown = panel_text(app)
        assert "ready (0 models" not in shown and "spam_rnn" in shown
        grid = app.query_one(".model-status", Static).content  # mark, model, status
        marks, names = list(grid.columns[0].cells), list(grid.columns[1].cells)
        mark = marks[names.index("classifiers")]
        assert mark.plain == "✗" and "red" in str(mark.style)  # not the green ● of a ready model
