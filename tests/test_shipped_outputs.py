"""Every shipped checkpoint gives the outputs it gave when this test was written, on fixed inputs.

The expected values were recorded from the code before the contract layer (issue 20 item 4) moved
the special ids, the chat's text normalisation and DecodingConfig out of the engine: a refactor
must not change what any shipped model says. Translators and chat: greedy, a beam of 4 (chat: its
artifact's own beam search) and the artifact's default decoding, text exactly; the generator:
greedy (top_k 1) and seeded sampling, text exactly; classifiers: each text's label and top
classes, probabilities to 1e-6 (float32 sums may round differently on another BLAS).
"""

from __future__ import annotations

import pytest

from seqbot.artifact import load_artifact
from seqbot.paths import PROJECT_ROOT

CHECKPOINTS = PROJECT_ROOT / "checkpoints"
TRANSLATE = ["I love this movie.", "How are you?", "She said that she would come back tomorrow, but she never did.",
             "My brother has been living in Paris for ten years.", "Could you tell me how to get to the museum?"]
CHAT = ["Hi there!", "How are you?", "What are you doing tonight?"]
PROMPTS = ["The ", "Once upon a time"]
CLASSIFY = ["Free entry! Win a prize now, call today", "see you at lunch tomorrow", "This movie was wonderful, I loved it.",
            "Oil prices rose sharply as exports fell", "terrible acting and a boring plot", "정말 재미있는 영화였어요",
            "배우 연기가 너무 별로였다"]


def shipped() -> list[str]:
    return sorted(path.stem for path in CHECKPOINTS.glob("*.npz"))


def outputs(name: str) -> dict:
    """What checkpoint `name` says on the fixed inputs."""
    path = CHECKPOINTS / f"{name}.npz"
    artifact = load_artifact(path)
    if artifact.kind == "seq2seq" and artifact.config.get("task", "translate") == "translate":
        from seqbot.engine.translator import Translator

        model = Translator(artifact, path)
        return {mode: [result.text for result in model.translate_batch(TRANSLATE, beam=beam)]
                for mode, beam in (("greedy", 1), ("beam", 4), ("default", None))}
    if artifact.kind == "seq2seq":
        from seqbot.engine.chat import Chatbot

        model = Chatbot(artifact, path)
        return {mode: [model.reply(text, beam=beam) for text in CHAT] for mode, beam in (("greedy", 1), ("default", None))}
    if artifact.kind == "generator":
        from seqbot.engine.generator import Generator

        model = Generator.load(path)
        return {"greedy": [model.generate(prompt, length=40, top_k=1, seed=0) for prompt in PROMPTS],
                "sampled": [model.generate(prompt, temperature=0.8, length=40, seed=7) for prompt in PROMPTS]}
    from seqbot.engine.classifier import load_classifier

    model = load_classifier(path, name)
    korean = [any("\uac00" <= char <= "\ud7a3" for char in text) for text in CLASSIFY]
    texts = [text for text, is_korean in zip(CLASSIFY, korean) if is_korean == (model.language == "ko")]
    predictions = [model.predict(text) for text in texts]
    return {text: [prediction.label, [[label, round(float(probability), 6)] for label, probability in prediction.top]]
            for text, prediction in zip(texts, predictions)}


EXPECTED = {
    "chat": {
        "greedy": ["Hi Monica.", "I am a big deal.", "I am a big deal."],
        # the decoding of 2026-12-06 (MMI-bidi: the model's own p(reply) and a backward model); same weights as greedy
        "default": ["Thank you so much for this place", "I don't know what they are really great",
                    "I don't know what this is about my mom"],
    },
    "generator": {
        "greedy": ["truth of the man that he was so much\nThe", " to the state,\nThat thou art all the sea"],
        "sampled": ["other I will have such a king,\nA command", " with Clarence it.\nWhat answer hast thou"],
    },
    "imdb": {
        "Free entry! Win a prize now, call today": ["positive", [["positive", 0.867798], ["negative", 0.132202]]],
        "see you at lunch tomorrow": ["positive", [["positive", 0.788918], ["negative", 0.211082]]],
        "This movie was wonderful, I loved it.": ["positive", [["positive", 0.985164], ["negative", 0.014836]]],
        "Oil prices rose sharply as exports fell": ["positive", [["positive", 0.97581], ["negative", 0.02419]]],
        "terrible acting and a boring plot": ["negative", [["negative", 0.997462], ["positive", 0.002538]]],
    },
    "imdb_lstm": {
        "Free entry! Win a prize now, call today": ["positive", [["positive", 0.869735], ["negative", 0.130265]]],
        "see you at lunch tomorrow": ["positive", [["positive", 0.619199], ["negative", 0.380801]]],
        "This movie was wonderful, I loved it.": ["positive", [["positive", 0.958434], ["negative", 0.041566]]],
        "Oil prices rose sharply as exports fell": ["negative", [["negative", 0.602611], ["positive", 0.397389]]],
        "terrible acting and a boring plot": ["negative", [["negative", 0.981629], ["positive", 0.018371]]],
    },
    "nsmc": {
        "정말 재미있는 영화였어요": ["positive", [["positive", 0.990615], ["negative", 0.009385]]],
        "배우 연기가 너무 별로였다": ["negative", [["negative", 0.999052], ["positive", 0.000948]]],
    },
    "reuters": {
        "Free entry! Win a prize now, call today": ["not news-like", [["money-fx", 0.323933], ["trade", 0.117744], ["interest", 0.077475], ["money-supply", 0.058145], ["ship", 0.044034]]],
        "see you at lunch tomorrow": ["not news-like", [["grain", 0.083839], ["money-fx", 0.072266], ["ship", 0.069729], ["sugar", 0.051262], ["oilseed", 0.045759]]],
        "This movie was wonderful, I loved it.": ["not news-like", [["acq", 0.270982], ["trade", 0.137374], ["ship", 0.112439], ["money-fx", 0.104244], ["grain", 0.04609]]],
        "Oil prices rose sharply as exports fell": ["crude", [["crude", 0.265574], ["gas", 0.110531], ["reserves", 0.087648], ["trade", 0.068525], ["money-supply", 0.046647]]],
        "terrible acting and a boring plot": ["not news-like", [["acq", 0.229083], ["ship", 0.205613], ["tin", 0.050375], ["crude", 0.041003], ["gold", 0.037952]]],
    },
    "spam_nb": {
        "Free entry! Win a prize now, call today": ["spam", [["spam", 0.999999], ["ham", 1e-06]]],
        "see you at lunch tomorrow": ["ham", [["ham", 0.999807], ["spam", 0.000193]]],
        "This movie was wonderful, I loved it.": ["ham", [["ham", 0.999899], ["spam", 0.000101]]],
        "Oil prices rose sharply as exports fell": ["ham", [["ham", 0.953977], ["spam", 0.046023]]],
        "terrible acting and a boring plot": ["ham", [["ham", 0.970535], ["spam", 0.029465]]],
    },
    "spam_rnn": {
        "Free entry! Win a prize now, call today": ["spam", [["spam", 0.983495], ["ham", 0.016505]]],
        "see you at lunch tomorrow": ["ham", [["ham", 0.995599], ["spam", 0.004401]]],
        "This movie was wonderful, I loved it.": ["ham", [["ham", 0.998156], ["spam", 0.001844]]],
        "Oil prices rose sharply as exports fell": ["ham", [["ham", 0.853331], ["spam", 0.146669]]],
        "terrible acting and a boring plot": ["ham", [["ham", 0.977756], ["spam", 0.022244]]],
    },
    "translator": {
        "greedy": ["J'adore ce film.", "Comment allez-vous ?", "Elle a dit qu'elle reviendrait demain, mais elle reviendrait.", "Mon frère vit à Paris pour dix ans.", "Pourrais-tu me dire comment se rendre à la musée ?"],
        "beam": ["J'adore ce film.", "Comment allez-vous ?", "Elle a dit qu'elle reviendrait demain, mais elle reviend.", "Mon frère vit à Paris pour dix ans.", "Pourrais-tu me dire comment se rendre à la musée ?"],
        "default": ["J'adore ce film.", "Comment allez-vous ?", "Elle a dit qu'elle reviendrait demain, mais elle reviend.", "Mon frère vit à Paris pour dix ans.", "Pourrais-tu me dire comment se rendre à la musée ?"],
    },
    "translator-gru512": {
        "greedy": ["J'adore ce film.", "Comment vous êtes-vous ?", "Elle a dit qu'elle reviendrait demain, demain ? Je n'ai jamais fait de mal à la faible.", "Mon frère vit de Paris pour dix ans.", "Pourriez-vous me dire comment se rendre à la musée ?"],
        "beam": ["J'adore ce film.", "Comment vous êtes-vous ?", "Elle a dit qu'elle reviendrait demain, demain ? Jamais elle n'a jamais fait.", "Mon frère vit de Paris pour dix ans.", "Pourriez-vous me dire comment se rendre à la musée ?"],
        "default": ["J'adore ce film.", "Comment vous êtes-vous ?", "Elle a dit qu'elle reviendrait demain, demain ? Jamais elle n'a jamais fait.", "Mon frère vit de Paris pour dix ans.", "Pourriez-vous me dire comment se rendre à la musée ?"],
    },
}


def test_every_shipped_checkpoint_is_covered():
    assert sorted(EXPECTED) == shipped()


@pytest.mark.parametrize("name", shipped())
def test_shipped_checkpoint_says_what_it_said(name):
    got, expected = outputs(name), EXPECTED[name]
    if load_artifact(CHECKPOINTS / f"{name}.npz").kind not in ("classifier", "naive_bayes"):
        assert got == expected
        return
    assert list(got) == list(expected)
    for text, (label, top) in expected.items():
        assert got[text][0] == label, text
        assert [item[0] for item in got[text][1]] == [item[0] for item in top], text
        assert [item[1] for item in got[text][1]] == pytest.approx([item[1] for item in top], abs=2e-6), text
