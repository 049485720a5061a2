"""Small deterministic engines with the real engines' interfaces (see docs/architecture.md),
so the app tests and snapshots do not change when the shipped models are retrained.
The last test checks the fakes themselves follow the interface the app relies on."""

from __future__ import annotations

import string
import threading
from dataclasses import dataclass

from seqbot.app.engines import EngineHub, EngineUnavailable

# How long a gated fake waits for the test to let it go on: long enough for a loaded machine (a
# gate that times out lets the fake run on, past the step the test waits for), short enough that a
# broken test still ends.
GATE_TIMEOUT = 60
KNOWN = set(string.ascii_letters + string.digits + " .,!?'-")
PHRASES = {
    "Hello.": ("Bonjour.", "Salut."),
    "Win a free cruise now!": ("Gagnez une croisière gratuite !", "Gagne une croisière gratuite !"),
    "I love this movie.": ("J'adore ce film.", "J'aime ce film."),
}


@dataclass
class Translation:
    source: str
    text: str
    attention: list | None
    unknown_chars: list[str]
    truncated: bool


@dataclass
class Prediction:
    model: str
    task: str
    label: str
    probability: float
    top: list
    explanation: list | None = None
    language: str = "en"


class FakeTranslator:
    """Known phrases from a table, anything else word-reversed; beam gives the second variant."""

    def __init__(self, max_source_length: int = 40, attention: bool = True) -> None:
        self.config = {"max_source_length": max_source_length, "attention": "dot" if attention else "none"}
        self.metadata = {"scores": {"chrF": 0.5}}
        self.with_attention = attention
        self.gate: threading.Semaphore | None = None  # when a test sets it, stream and beam search take one per step
        self.beam_gate: threading.Event | None = None  # when a test sets it, beam search waits for it

    def unknown_characters(self, text: str) -> list[str]:
        return list(dict.fromkeys(char for char in text if char not in KNOWN))

    def translate(self, text: str, beam: int = 1, progress=None) -> Translation:
        """With `progress` and beam > 1, reports stream_beam's texts first, one per step (as the
        engine's translate does with its best text so far)."""
        if beam > 1 and self.beam_gate is not None:
            self.beam_gate.wait(timeout=GATE_TIMEOUT)
        if beam > 1 and progress is not None:
            for partial in self.stream_beam(text, beam=beam):
                progress(partial)
        source = text[: self.config["max_source_length"]]
        greedy, beamed = PHRASES.get(source, (" ".join(reversed(source.split())) or ".", None))
        output = beamed if beam > 1 and beamed else greedy
        attention = None
        if self.with_attention:
            attention = []
            for row in range(len(output)):
                peak = min(len(source) - 1, row * len(source) // max(len(output), 1))
                attention.append([0.7 if column == peak else 0.3 / max(len(source) - 1, 1) for column in range(len(source))])
        return Translation(source, output, attention, self.unknown_characters(source), len(text) > len(source))

    def translate_batch(self, texts, beam=1):
        return [self.translate(text, beam) for text in texts]

    def stream(self, text: str):
        for char in self.translate(text).text:
            if self.gate is not None:
                self.gate.acquire(timeout=GATE_TIMEOUT)
            yield char

    def stream_beam(self, text: str, beam: int = 5, alpha: float = 1.0):
        """Like the engine's: the best hypothesis so far, which grows and can be overtaken (here the
        greedy text's first half, then the beam text); the last is translate(text, beam).text,
        and the generator returns that Translation."""
        if self.beam_gate is not None:
            self.beam_gate.wait(timeout=GATE_TIMEOUT)
        greedy, final = self.translate(text).text, self.translate(text, beam=beam)  # (no progress: no recursion)
        partials = [greedy[:n] for n in range(1, len(greedy) // 2 + 1)]
        partials += [final.text[:n] for n in range(1, len(final.text) + 1)]
        for partial in partials:
            if self.gate is not None:
                self.gate.acquire(timeout=GATE_TIMEOUT)
            yield partial
        return final


class FakeClassifiers:
    def __init__(self, errors: dict[str, str] | None = None) -> None:
        self.errors = dict(errors or {})
        self.names = [n for n in ("spam_rnn", "spam_nb", "imdb", "reuters", "nsmc") if n not in self.errors]

    def classify(self, text: str) -> list[Prediction]:
        if any("\uac00" <= char <= "\ud7a3" for char in text):
            return [Prediction("nsmc", "sentiment", "positive", 0.81, [("positive", 0.81), ("negative", 0.19)], language="ko")]
        spammy = 0.93 if "free" in text.lower() else 0.08
        label = "spam" if spammy > 0.5 else "ham"
        words = [(w.strip("!.,").lower(), (1.8 if w.lower() == "free" else -0.4)) for w in text.split()[:4]]
        top = sorted([("spam", spammy), ("ham", 1 - spammy)], key=lambda pair: -pair[1])  # winner first, as the engine does
        predictions = [
            Prediction("spam_rnn", "spam", label, max(spammy, 1 - spammy), top),
            Prediction("spam_nb", "spam", label, max(spammy, 1 - spammy), top, words),
            # A negative review: the bar must say "negative 61%", not "positive 39%".
            Prediction("imdb", "sentiment", "negative", 0.61, [("negative", 0.61), ("positive", 0.39)])
            if "boring" in text.lower() else
            Prediction("imdb", "sentiment", "positive", 0.74, [("positive", 0.74), ("negative", 0.26)]),
            Prediction("reuters", "topic", "earn", 0.52, [("earn", 0.52), ("acq", 0.21), ("trade", 0.09)]),
        ]
        return [p for p in predictions if p.model not in self.errors]


class FakeChatbot:
    def reply(self, text: str, beam: int = 1) -> str:
        return "Très bien, merci." if beam > 1 else "Je vais bien."

    def stream(self, text: str):
        yield from self.reply(text)

    def stream_reply(self, text: str, beam: int = 1):
        """The best reply so far: "Je" (overtaken), then the beam reply word by word."""
        final = self.reply(text, beam)
        words = final.split(" ")
        yield from ["Je"] + [" ".join(words[:n]) for n in range(1, len(words) + 1)]
        return final


class FakeGenerator:
    def stream(self, prompt: str, temperature: float = 0.8, length: int = 200, top_k=None, seed=None):
        yield from f" and then the sea (t={temperature:g})"[:length]

    def generate(self, prompt: str, **kwargs) -> str:
        return "".join(self.stream(prompt, **kwargs))


def fake_hub(translator: FakeTranslator | None = None, classifier_errors=None, missing=()) -> EngineHub:
    engines = {
        "translator": lambda: translator or FakeTranslator(),
        "classifiers": lambda: FakeClassifiers(classifier_errors),
        "chat": FakeChatbot,
        "generator": FakeGenerator,
    }

    def unavailable(name):
        def load():
            raise EngineUnavailable(f"no checkpoint checkpoints/{name}.npz")
        return load

    for name in missing:
        engines[name] = unavailable(name)
    return EngineHub(engines, description="fake engines")


def test_fakes_follow_the_engine_interfaces():
    translation = FakeTranslator().translate("Hello é", beam=1)
    assert translation.unknown_chars == ["é"]
    assert len(translation.attention) == len(translation.text)
    assert all(len(row) == len(translation.source) for row in translation.attention)
    assert "".join(FakeTranslator().stream("Hello.")) == FakeTranslator().translate("Hello.").text
    assert list(FakeTranslator().stream_beam("Hello.", beam=4))[-1] == FakeTranslator().translate("Hello.", beam=4).text
    assert list(FakeChatbot().stream_reply("Hi!", beam=4))[-1] == FakeChatbot().reply("Hi!", beam=4)
    assert {p.task for p in FakeClassifiers().classify("free")} == {"spam", "sentiment", "topic"}
    for prediction in FakeClassifiers().classify("a boring free film"):
        assert (prediction.label, prediction.probability) == prediction.top[0]
        assert [p for _, p in prediction.top] == sorted((p for _, p in prediction.top), reverse=True)


def gated_app(translator: FakeTranslator | None = None):
    """(app, translator) where the fake translator streams one step per `translator.gate.release()`."""
    from seqbot.app.app import SeqbotApp

    translator = translator or FakeTranslator()
    translator.gate = threading.Semaphore(0)
    return SeqbotApp(fake_hub(translator)), translator
