"""What people type first, as probes for the translator: greetings, names it never saw, numbers,
capitals and a long paragraph. `seqbot eval translate` scores a model on them.

Each probe says what a right answer must hold, checked on the model's output:
- greetings: the output is one of fra.txt's own translations of that English (punctuation and
  case aside), so the grader is the corpus, not a list written for the model;
- names: the 30 first names below occur nowhere in fra.txt (checked by a test) and are kept out
  of the names that training substitutes; the output must contain the name exactly;
- numbers: the output must contain every digit string of the input exactly;
- capitals: in ALL-CAPS input the proper noun must come out with its capitals (PARIS or Paris);
- paragraph: every sentence of a long paragraph must be translated (no part dropped).

    probes = build_probes(fra_pairs)   # list[Probe]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GREETINGS = ("Hello!", "Hi!", "Good morning!", "Good night.", "Goodbye!", "How are you?", "Hello, how are you?",
             "Thank you very much.")
# "Hello, how are you?" is not in fra.txt as such; its right answers combine the two sentences' answers.
COMBINED_GREETINGS = {"Hello, how are you?": ("Hello!", "How are you?")}

UNSEEN_NAMES = (
    "Xavier", "Ingrid", "Rashid", "Priya", "Oskar", "Leilani", "Bartholomew", "Siobhan", "Dmitri", "Zainab",
    "Thaddeus", "Olufemi", "Yusuf", "Anneliese", "Kwame", "Ximena", "Bjorn", "Fenella", "Ignatius", "Marisol",
    "Eero", "Soren", "Wilhelmina", "Cosimo", "Amara", "Lorcan", "Niamh", "Ottilie", "Rafferty", "Imogen",
)
NAME_TEMPLATES = ("My name is {}.", "{} is my friend.", "I met {} yesterday.", "Where is {}?", "{} and I went to Paris.")

NUMBER_TEMPLATES = (
    "I have {} cats.", "She was born in {}.", "He is {} years old.", "The room costs {} dollars.",
    "We waited for {} minutes.", "There are {} students in the class.", "I bought {} books.",
    "The train leaves at {} o'clock.", "Call me at {}.", "It happened in {}.",
)
NUMBERS = ("3", "7", "12", "25", "48", "1987", "2024", "365", "1000", "64")

CAPITALS = (("I LOVE PARIS!", "Paris"), ("WHERE IS LONDON?", "Londres"), ("TOM LIVES IN BOSTON.", "Boston"),
            ("I WENT TO JAPAN.", "Japon"), ("MARY IS FROM CANADA.", "Canada"))

PARAGRAPH = ("I arrived in town yesterday. The hotel is small but clean. In the morning I walked to the old "
             "market and bought some bread. Then I visited the museum near the river. Tomorrow I will take "
             "the train to the coast, because I want to see the sea.")


@dataclass
class Probe:
    group: str  # greetings, names, numbers, capitals, paragraph
    english: str
    must_contain: list[str] = field(default_factory=list)  # exact substrings of a right answer
    any_of: list[str] = field(default_factory=list)  # folded right answers (greetings)
    sentences: int = 0  # paragraph: how many sentences the output must have at least


def fold(text: str) -> str:
    """Lower case, punctuation and spacing folded: how a greeting's answer is compared."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower().replace("\u2019", "'")).split())


def build_probes(fra_pairs) -> list[Probe]:
    """Every probe; greeting answers come from the fra.txt pairs given."""
    answers: dict[str, set[str]] = {}
    for pair in fra_pairs:
        answers.setdefault(pair.english, set()).add(fold(pair.french))
    probes = []
    for english in GREETINGS:
        if english in COMBINED_GREETINGS:
            first, second = (answers.get(part, set()) for part in COMBINED_GREETINGS[english])
            right = {f"{a} {b}" for a in first for b in second}
        else:
            right = answers.get(english, set())
        probes.append(Probe("greetings", english, any_of=sorted(right)))
    for name in UNSEEN_NAMES:
        probes += [Probe("names", template.format(name), must_contain=[name]) for template in NAME_TEMPLATES]
    for index, template in enumerate(NUMBER_TEMPLATES):
        for number in (NUMBERS[index], NUMBERS[(index + 3) % len(NUMBERS)], NUMBERS[(index + 7) % len(NUMBERS)],
                       str(11 + 13 * index), str(1950 + 7 * index)):
            probes.append(Probe("numbers", template.format(number), must_contain=[number]))
    for english, noun in CAPITALS:
        probes.append(Probe("capitals", english, must_contain=[noun]))
    probes.append(Probe("paragraph", PARAGRAPH, sentences=len(re.findall(r"[.!?]", PARAGRAPH))))
    return probes


def passes(probe: Probe, output: str) -> bool:
    """Whether `output` is a right answer to `probe` (see the module docstring)."""
    if probe.any_of:
        return fold(output) in probe.any_of
    if probe.group == "capitals":
        return any(noun in output or noun.upper() in output for noun in probe.must_contain)
    if probe.sentences:
        return len(re.findall(r"[.!?]", output)) >= probe.sentences
    return all(part in output for part in probe.must_contain)
