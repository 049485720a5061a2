"""Translate mode: each line of the message into French, as `seqbot translate` decodes it: by default
with the settings' beam search (width 4, the checkpoint's own decoding; its best text so far shown as
it runs), or greedy (streamed character by character) after Ctrl+B."""

from __future__ import annotations

from textual.worker import get_current_worker

from seqbot.app.conversation import Turn
from seqbot.app.modes.base import Mode


class ReplyStopped(Exception):
    """Raised from a decoder's progress callback to end the search of a reply that was stopped."""


class BlankLine:
    """An empty line of a multi-line message: no text, no attention."""

    source = ""
    text = ""
    attention = None
    unknown_chars: list[str] = []


def block_attention(parts: list) -> list[list[float]] | None:
    """The attention of several line translations as one map: line i's block on the diagonal,
    zero elsewhere, with a row and a column of zeros for each line break between them."""
    if any(part.attention is None for part in parts if part.text):
        return None
    columns = sum(len(part.source) for part in parts) + len(parts) - 1
    rows, offset = [], 0
    for index, part in enumerate(parts):
        if index:
            rows.append([0.0] * columns)  # the "\n" of the reply
        for row in (part.attention if part.text else []):
            line = [0.0] * columns
            line[offset:offset + len(part.source)] = [float(value) for value in row[: len(part.source)]]
            rows.append(line)
        offset += len(part.source) + 1
    return rows


def reply_scores(parts: list) -> tuple[float | None, list[tuple[int, int, float]]]:
    """How sure a reply made of line translations is (None: a blank or unread line): the lowest of
    its lines' confidences (None unless every line has one), and each line's word scores at its
    place in the reply (lines joined by "\n")."""
    done = [part for part in parts if part is not None]
    confidences = [getattr(part, "confidence", None) for part in done]
    confidence = min(confidences) if done and None not in confidences else None
    words, offset = [], 0
    for part in parts:
        if part is not None:
            words += [(offset + word.start, offset + word.end, word.score) for word in getattr(part, "words", [])]
        offset += len(part.text if part is not None else "") + 1
    return confidence, words


class TranslateMode(Mode):
    name = "translate"
    placeholder = "Type English and press Enter (Ctrl+J: new line; each line is translated)…"
    follows_beam_setting = True
    translates = True
    shows_attention = True

    def __init__(self, app) -> None:
        super().__init__(app)
        # Beam search by default, as the CLI: on everyday sentences it is never worse than greedy
        # (the everyday probe, docs/models/translator.md) and costs tens of milliseconds a sentence.
        self.beam = app.settings.beam_width

    def answer(self, turn: Turn) -> None:
        """Each line of the message on its own (the translator joins whitespace, lines included). A line
        the translator cannot read (no Latin letter: Korean, emoji, symbols) is not given to it; the
        engine's own rule (untranslatable) says why in a notice, instead of French made up."""
        from seqbot.engine.translator import untranslatable

        app = self.app
        translator = app.hub.get(self.model)
        turn.model = self.model
        lines = turn.text.split("\n")
        refusals = [untranslatable(line) for line in lines]
        for index, refusal in enumerate(refusals):
            if refusal:
                turn.notices.append((f"line {index + 1}: " if len(lines) > 1 else "") + refusal)
        readable = "\n".join(line for line, refusal in zip(lines, refusals) if not refusal)
        turn.unknown_chars = list(translator.unknown_characters(readable)) if readable.strip() else []
        if turn.unknown_chars or any(refusals):
            app.ui(app.turn_changed, turn)
        parts = []
        for index, line in enumerate(lines):
            if index:
                turn.reply += "\n"
            if not line.strip() or refusals[index]:
                parts.append(None)
                continue
            result = self.translate_line(translator, turn, line)
            if turn.cancelled:
                return
            parts.append(result)
            if result.truncated:
                where = f"line {index + 1}: " if len(lines) > 1 else ""
                turn.notices.append(
                    f"{where}the translator reads at most {len(result.source)} characters; the rest was not translated")
        done = [part for part in parts if part is not None]
        if not done:  # no line the translator can read: the notices say why
            turn.reply = ""
            return
        if len(lines) == 1:
            result = done[0]
            turn.reply, turn.source, turn.attention = result.text, result.source, result.attention
        else:
            filled = [part if part is not None else BlankLine() for part in parts]
            turn.reply = "\n".join(part.text for part in filled)
            turn.source = "\n".join(part.source for part in filled)
            turn.attention = block_attention(filled)
        unknown = [char for part in done for char in part.unknown_chars]
        turn.unknown_chars = list(dict.fromkeys(unknown)) or turn.unknown_chars
        turn.confidence, turn.word_scores = reply_scores(parts)

    def translate_line(self, translator, turn: Turn, line: str):
        """One line, decoded once, as `seqbot translate` decodes it: a beam search over all of its
        sentences together (its best text so far shown as it runs, through `progress`), or greedy
        streamed character by character (its generator returns the Translation, attention
        included). It used to be a search per sentence, one after the other (7x the decoder steps
        of a 9-sentence paragraph), and greedy decoded every line twice."""
        app = self.app
        before = turn.reply
        if turn.beam > 1:
            worker = get_current_worker()

            def progress(text: str) -> None:
                if turn.cancelled or worker.is_cancelled:
                    raise ReplyStopped  # stops the search now, not at its end
                turn.reply = before + text
                app.reply_grew(turn)

            try:
                result = translator.translate(line, beam=turn.beam, progress=progress)
            except ReplyStopped:
                turn.cancelled = True
            if turn.cancelled:
                return None
        else:
            result = app.stream(turn, translator.stream(line))
            if turn.cancelled:
                return None
            if result is None:  # a stream that does not return its Translation
                result = translator.translate(line, beam=1)
        turn.reply = before + result.text
        return result

    def alternatives(self, turn: Turn):
        """F7: a function, run in the alternatives screen's worker, that finds the beam's alternatives
        to `turn`'s translation (greedy replies: with the translator's own beam search)."""
        from seqbot.app.screens.alternatives import find_alternatives

        beam = turn.beam if turn.beam > 1 else None
        return lambda: find_alternatives(self.app.hub.get(self.model), turn.text, beam)
