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

A second kind of probe compares two decodings instead of grading one: EVERYDAY holds 30 short
everyday sentences (greetings, thanks, directions, small talk, questions) with natural French
references written for this probe (several where tu / vous or two wordings are equally right).
`compare_decodings` scores greedy and beam outputs against them with sentence-level chrF; the check
is that beam scores at least as well as greedy on average (issue 19). The references grade outputs
only: nothing outside `seqbot eval translate` and the tests may read them (a test checks it).

    report = compare_decodings(greedy_texts, beam_texts)   # in EVERYDAY's order
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


@dataclass(frozen=True)
class EverydayProbe:
    topic: str  # greeting, thanks, directions, small talk, question
    english: str
    references: tuple[str, ...]  # natural French; the best-matching one grades an output


def _everyday(topic: str, *rows: tuple[str, tuple[str, ...]]) -> tuple[EverydayProbe, ...]:
    return tuple(EverydayProbe(topic, english, references) for english, references in rows)


EVERYDAY = (
    _everyday("greeting",
              ("Good evening!", ("Bonsoir !",)),
              ("Hi, how are you?", ("Salut, comment ça va ?", "Salut, comment vas-tu ?", "Salut, comment allez-vous ?")),
              ("Nice to meet you.", ("Enchanté.", "Ravi de vous rencontrer.", "Ravi de te rencontrer.")),
              ("See you tomorrow!", ("À demain !",)),
              ("Have a nice day!", ("Bonne journée !",)),
              ("Welcome to Paris!", ("Bienvenue à Paris !",)))
    + _everyday("thanks",
                ("Thanks a lot!", ("Merci beaucoup !",)),
                ("Thank you for your help.", ("Merci pour votre aide.", "Merci pour ton aide.")),
                ("You're welcome.", ("De rien.", "Je vous en prie.", "Je t'en prie.")),
                ("Excuse me.", ("Excusez-moi.", "Excuse-moi.")),
                ("I'm sorry I'm late.", ("Désolé d'être en retard.", "Je suis désolé d'être en retard.")),
                ("No problem.", ("Pas de problème.", "Aucun problème.")))
    + _everyday("directions",
                ("Where is the bathroom?", ("Où sont les toilettes ?",)),
                ("How do I get to the station?", ("Comment aller à la gare ?", "Comment est-ce que je vais à la gare ?")),
                ("Turn left at the next street.", ("Tournez à gauche à la prochaine rue.", "Tourne à gauche à la prochaine rue.")),
                ("Is it far from here?", ("Est-ce loin d'ici ?", "C'est loin d'ici ?")),
                ("The bank is next to the post office.", ("La banque est à côté de la poste.",)),
                ("Go straight ahead.", ("Allez tout droit.", "Va tout droit.")))
    + _everyday("small talk",
                ("It's a beautiful day.", ("Il fait beau aujourd'hui.", "C'est une belle journée.")),
                ("It's very cold today.", ("Il fait très froid aujourd'hui.",)),
                ("I'm very tired.", ("Je suis très fatigué.", "Je suis très fatiguée.")),
                ("I'm hungry.", ("J'ai faim.",)),
                ("We had a great time.", ("Nous nous sommes bien amusés.", "On s'est bien amusés.")),
                ("I like your dress.", ("J'aime ta robe.", "J'aime votre robe.")))
    + _everyday("question",
                ("What's your name?", ("Comment vous appelez-vous ?", "Comment t'appelles-tu ?", "Comment tu t'appelles ?")),
                ("What time is it?", ("Quelle heure est-il ?",)),
                ("Do you speak English?", ("Parlez-vous anglais ?", "Tu parles anglais ?", "Est-ce que vous parlez anglais ?")),
                ("Can you help me?", ("Pouvez-vous m'aider ?", "Peux-tu m'aider ?", "Tu peux m'aider ?")),
                ("How much does it cost?", ("Combien ça coûte ?", "Combien est-ce que ça coûte ?")),
                ("Where do you live?", ("Où habitez-vous ?", "Où habites-tu ?", "Où est-ce que tu habites ?")))
)


def sentence_chrf(output: str, references) -> float:
    """sacrebleu's sentence-level chrF (0-100) of `output` against its best-matching reference."""
    import sacrebleu

    return sacrebleu.sentence_chrf(output, list(references)).score


def compare_decodings(greedy_outputs: list[str], beam_outputs: list[str], probes=EVERYDAY) -> dict:
    """Greedy against beam on the everyday probe: mean sentence chrF of each, whether beam is at least
    as good on average (the check), and the sentences where beam scores below greedy."""
    if not len(greedy_outputs) == len(beam_outputs) == len(probes):
        raise ValueError(f"need one greedy and one beam output per probe ({len(probes)}), got "
                         f"{len(greedy_outputs)} and {len(beam_outputs)}")
    greedy_scores = [sentence_chrf(output, probe.references) for output, probe in zip(greedy_outputs, probes)]
    beam_scores = [sentence_chrf(output, probe.references) for output, probe in zip(beam_outputs, probes)]
    worse = [{"english": probe.english, "greedy": greedy, "beam": beam,
              "greedy_chrF": round(greedy_score, 2), "beam_chrF": round(beam_score, 2)}
             for probe, greedy, beam, greedy_score, beam_score
             in zip(probes, greedy_outputs, beam_outputs, greedy_scores, beam_scores) if beam_score < greedy_score]
    greedy_mean, beam_mean = sum(greedy_scores) / len(probes), sum(beam_scores) / len(probes)
    return {"probes": len(probes), "greedy_chrF": round(greedy_mean, 2), "beam_chrF": round(beam_mean, 2),
            "beam_at_least_greedy": beam_mean >= greedy_mean, "beam_worse": worse}


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
