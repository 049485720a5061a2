"""Run every shipped classifier on each message (NumPy, no TensorFlow).

    seqbot classify "WINNER!! Claim your free prize now" "see you at lunch?"
    seqbot classify --json "이 영화 정말 재밌어요"          one JSON object per message
    seqbot classify < messages.txt                         each line of standard input is a message

English text goes to the spam RNN, spam Naive Bayes, IMDB sentiment and Reuters topic models;
text with Hangul (syllables, or jamo such as ㅋㅋ) to the NSMC sentiment model; a message mixing
Hangul and Latin words to both (seqbot.data.scripts.languages_of). The output says which models
ran; a model whose checkpoint is missing or broken is reported once on standard error and the
others still run.

--json writes one object per input line:
  text         the message as read, whole (bytes that were not UTF-8 become U+FFFD)
  languages    ["en"], ["ko"] or ["en", "ko"] (empty when nothing was classified)
  models       the models that ran
  predictions  one per model: model, task (spam | sentiment | topic), label, probability,
               top ([label, probability] of the 3 likeliest),
               words ([word, score] of the 5 that moved the model most, strongest first: how much
               the word moved the log-odds, + toward spam / positive (for a topic: toward the
               predicted topic), - away; leave-one-word-out for the neural models),
               coverage (Reuters: the share of the words in its vocabulary); Reuters' label is
               "not news-like" when its confidence or coverage is too low (probability and top
               then give the closest topics; see seqbot/engine/news_domain.py)
  error        only when no model could say anything (empty text, a script no model reads)
"""

from __future__ import annotations

import json
import sys

TASK_TITLES = {"spam": "spam", "sentiment": "sentiment", "topic": "topic"}


def add_arguments(parser) -> None:
    parser.add_argument("text", nargs="*", help="messages to classify (default: each line of standard input)")
    parser.add_argument("--json", action="store_true", help="one JSON object per message instead of a table")
    parser.add_argument("--checkpoints", help="checkpoint folder (default $SEQBOT_CHECKPOINTS or checkpoints/)")


def run(args) -> int:
    from seqbot.commands.lines import input_texts
    from seqbot.engine.classifier import ClassifierSet

    classifiers = ClassifierSet.load(args.checkpoints)
    for name, message in classifiers.errors.items():
        print(f"seqbot: {name} unavailable: {message}", file=sys.stderr)
    if not classifiers.names:
        print("seqbot: no classifier could be loaded; nothing to do", file=sys.stderr)
        return 1
    messages = input_texts(args.text, hint="type messages to classify")
    for number, text in enumerate(messages, 1):
        result = classify_one(classifiers, text)
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            print_table(number, result)
    return 0


def classify_one(classifiers, text: str) -> dict:
    """{"text", "languages", "models", "predictions": [...], "error"} for one message; never raises for bad text."""
    from seqbot.data.scripts import languages_of
    from seqbot.errors import SeqbotError

    result = {"text": text, "languages": [], "models": [], "predictions": []}
    try:
        predictions = classifiers.classify(text)
    except SeqbotError as error:
        result["error"] = str(error)
        return result
    result["languages"] = list(languages_of(text))
    result["models"] = [p.model for p in predictions]
    if not predictions:
        result["error"] = f"no {' or '.join(result['languages'])} classifier is loaded"
    for p in predictions:
        entry = {"model": p.model, "task": p.task, "label": p.label, "probability": round(p.probability, 4),
                 "top": [[label, round(prob, 4)] for label, prob in p.top[:3]]}
        if p.explanation:
            entry["words"] = [[word, round(push, 3)] for word, push in p.explanation[:5]]
        if p.coverage is not None:
            entry["coverage"] = round(p.coverage, 4)
        result["predictions"].append(entry)
    return result


def print_table(number: int, result: dict) -> None:
    from seqbot.engine.news_domain import NOT_NEWS_LIKE, closest_topic_note

    text = result["text"] if len(result["text"]) <= 200 else result["text"][:200] + "…"
    print(f"[{number}] {text!r}")
    if "error" in result and not result["predictions"]:
        print(f"    {result['error']}")
        return
    names = {"en": "English", "ko": "Korean"}
    language = " and ".join(names.get(code, code) for code in result["languages"])
    print(f"    {language} text; models: {', '.join(result['models'])}")
    for p in result["predictions"]:
        line = f"    {p['model']:<9} {p['task']:<10} {p['label']:<14} {p['probability']:6.1%}"
        if p["label"] == NOT_NEWS_LIKE:
            line = f"    {p['model']:<9} {p['task']:<10} {p['label']:<14} ({closest_topic_note(p['top'], p.get('coverage'))})"
        elif p["task"] == "topic":
            line += "   next: " + ", ".join(f"{label} {prob:.0%}" for label, prob in p["top"][1:3])
        if p.get("words"):
            line += "   words: " + ", ".join(f"{word} {push:+.1f}" for word, push in p["words"][:4])
        print(line)
    sys.stdout.flush()
