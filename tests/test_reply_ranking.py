"""Issue 23: the chat model's ranking of given replies (hits@1 of 10): word links (tf-idf overlap and IBM
Model 1 both ways), the ranking score, the ranking in the artifact, in `seqbot eval chat` and the tuning
of its weights on validation; random-weight chat models (no TensorFlow)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.contract import keys
from seqbot.contract.ranking import RankingConfig
from seqbot.engine.backward import carry
from seqbot.engine.chat import Chatbot, background_blob
from seqbot.engine.reply_ranking import ranking_score
from seqbot.engine.word_links import FLOOR, NULL, TranslationTable, WordLinks, word_tokens
from seqbot.errors import CheckpointError
from seqbot.evaluation import chat_eval
from tests.test_backward_model import backward_artifact
from tests.test_chat_rerank import PAIRS, chat_artifact
from tests.test_reply_prior import BACKGROUND, by_hand

DIALOGUE = [("congratulations on the baby!", "thanks, we are so happy."),
            ("congratulations!", "thanks!"),
            ("who ate my sandwich?", "joey ate it."),
            ("who is at the door?", "it's joey."),
            ("is it cold today?", "yes, freezing."),
            ("are you coming?", "yes!"),
            ("goodbye!", "bye!"),
            ("see you later.", "bye.")]


# --- word links -----------------------------------------------------------------------------

def test_tokens_are_lower_cased_words_and_the_marks_that_say_what_answers_a_line():
    assert word_tokens("Who's THERE?! 42, ok.") == ["who's", "there", "?", "!", "42", "ok"]


def test_model_1_learns_which_reply_words_follow_which_message_words():
    links = WordLinks.fit(DIALOGUE)
    index = links.index
    code = lambda table, source, target: index[source] * len(links.vocabulary) + index[target]  # noqa: E731
    found = lambda table, source, target: table.probabilities[np.searchsorted(table.codes, code(table, source, target))]  # noqa: E731
    assert found(links.forward, "congratulations", "thanks") > 0.3
    assert found(links.backward, "thanks", "congratulations") > 0.3
    for table in (links.forward, links.backward):  # each source word's probabilities sum to 1, less what was pruned
        sums = np.bincount(table.codes // len(links.vocabulary), weights=table.probabilities)
        assert np.all(sums[sums > 0] <= 1 + 1e-9) and np.allclose(sums[sums > 0], 1.0, atol=1e-3)
    fits = links.association(["Congratulations on the new job!"] * 2, ["Thanks!", "Joey ate it."])
    assert fits[0] > fits[1] + 1
    asked = links.association(["Who took my car?"] * 2, ["Joey.", "Bye!"])
    assert asked[0] > asked[1]


def test_association_is_its_formula_on_a_table_by_hand():
    """sum over target words of log(mean over source words and NULL of t(w | s)) - log u(w), both ways;
    an unseen link reads FLOOR and an unknown word counts for nothing."""
    vocabulary = [NULL, "hi", "hello", "bye"]
    size = len(vocabulary)
    code = lambda source, target: vocabulary.index(source) * size + vocabulary.index(target)  # noqa: E731
    forward = TranslationTable(size, np.array([code("hi", "hello"), code(NULL, "hello"), code(NULL, "bye")]),
                               np.array([0.8, 0.5, 0.5]), np.array([0.0, 0.0, 0.4, 0.6]))
    backward = TranslationTable(size, np.array([code("hello", "hi"), code(NULL, "hi")]), np.array([0.9, 1.0]),
                                np.array([0.0, 1.0, 0.0, 0.0]))
    links = WordLinks(vocabulary, np.ones(size), 10, forward, backward)
    expected = (math.log((0.8 + 0.5) / 2) - math.log(0.4)) + (math.log((0.9 + 1.0) / 2) - math.log(1.0))
    assert links.association(["hi"], ["hello"])[0] == pytest.approx(expected)
    assert links.association(["hi zzz"], ["hello qqq"])[0] == pytest.approx(expected)  # unknown words ignored
    # "bye" after "hi": t(bye | hi) unseen (FLOOR), t(bye | NULL) 0.5; backward t(hi | bye) unseen, t(hi | NULL) 1.0
    expected_bye = (math.log((FLOOR + 0.5) / 2) - math.log(0.6)) + (math.log((FLOOR + 1.0) / 2) - math.log(1.0))
    assert links.association(["hi"], ["bye"])[0] == pytest.approx(expected_bye)


def test_overlap_is_the_tf_idf_cosine():
    links = WordLinks.fit(DIALOGUE)
    assert links.overlap(["Who is it?"], ["who is it?"])[0] == pytest.approx(1.0)
    assert links.overlap(["Who is it?"], ["Bye."])[0] == 0.0
    assert links.overlap([""], ["Bye."])[0] == 0.0
    idf = {word: links.idf[links.index[word]] for word in ("joey", "ate", "it")}
    # "joey ate" vs "ate it": one shared word
    expected = idf["ate"] ** 2 / math.sqrt((idf["joey"] ** 2 + idf["ate"] ** 2) * (idf["ate"] ** 2 + idf["it"] ** 2))
    assert links.overlap(["Joey ate"], ["ate it"])[0] == pytest.approx(expected)
    assert links.overlap(["zebra"], ["zebra"])[0] == pytest.approx(1.0)  # an unseen word still matches itself


def test_word_links_survive_their_bytes_and_refuse_others():
    links = WordLinks.fit(DIALOGUE)
    again = WordLinks.from_bytes(links.to_bytes())
    messages, replies = [m for m, _ in DIALOGUE], [r for _, r in reversed(DIALOGUE)]
    assert np.allclose(again.association(messages, replies), links.association(messages, replies), atol=1e-5)
    assert np.allclose(again.overlap(messages, replies), links.overlap(messages, replies), atol=1e-6)
    with pytest.raises(ValueError, match="not word links"):
        WordLinks.from_bytes(b"not an archive")
    with pytest.raises(ValueError, match="at least one pair"):
        WordLinks.fit([("...", "...")])


# --- the score ----------------------------------------------------------------------------------

def test_the_ranking_score_is_its_formula():
    """A planted sign error (adding p(reply), subtracting an evidence term) fails."""
    rng = np.random.default_rng(0)
    terms = {name: rng.normal(size=7) for name in ("forward", "prior", "backward", "overlap", "association")}
    config = RankingConfig(prior=0.9, backward=0.5, overlap=6.0, association=0.15)
    expected = (terms["forward"] - 0.9 * terms["prior"] + 0.5 * terms["backward"] + 6.0 * terms["overlap"]
                + 0.15 * terms["association"])
    assert np.allclose(ranking_score(terms, config), expected)
    likelier = dict(terms, prior=terms["prior"] + 1.0)  # a reply likelier everywhere ranks lower
    assert np.all(ranking_score(likelier, config) < ranking_score(terms, config))
    closer = dict(terms, overlap=terms["overlap"] + 0.1, association=terms["association"] + 1.0)
    assert np.all(ranking_score(closer, config) > ranking_score(terms, config))
    plain = {"forward": terms["forward"], "prior": terms["prior"]}  # terms of weight 0 may be missing
    assert np.allclose(ranking_score(plain, RankingConfig()), terms["forward"] - terms["prior"])


@pytest.mark.parametrize("field,value", [("prior", -1.0), ("overlap", 1e6), ("association", "0.1"),
                                         ("background_messages", 0)])
def test_bad_ranking_settings_say_which(field, value):
    with pytest.raises(ValueError, match=field):
        RankingConfig(**{field: value})


# --- in the artifact ------------------------------------------------------------------------------

def ranking_artifact(backward: bool = True, **weights):
    artifact = chat_artifact(seed=4)
    if backward:
        artifact = carry(artifact, backward_artifact())
    artifact.blobs[keys.RANKING_BACKGROUND] = background_blob(BACKGROUND)
    artifact.blobs[keys.WORD_LINKS] = WordLinks.fit(PAIRS + DIALOGUE).to_bytes()
    artifact.config[keys.RANKING] = RankingConfig(**({"backward": 0.5, "overlap": 4.0, "association": 0.2} | weights),
                                                  background_messages=len(BACKGROUND)).to_dict()
    return artifact


def test_the_bot_ranks_by_the_formula_over_its_own_parts():
    bot = Chatbot(ranking_artifact())
    message, replies = "a bad", ["a bad deed.", "be cab!", "dad?"]
    links = bot.ranker.word_links
    expected = (bot.reply_log_probs([message] * 3, replies) - by_hand(bot, replies)
                + 0.5 * bot.message_log_probs([message] * 3, replies) + 4.0 * links.overlap([message] * 3, replies)
                + 0.2 * links.association([message] * 3, replies))
    assert np.allclose(bot.rank(message, replies), expected, atol=1e-4)
    with pytest.raises(ValueError, match="records no ranking"):
        Chatbot(chat_artifact()).rank(message, replies)


def test_hits_at_1_by_the_ranking_is_the_share_it_says():
    bot = Chatbot(ranking_artifact())
    chosen = chat_eval.choose_messages(PAIRS, 8, 2)
    distractors = chat_eval.distractor_sets(chosen, PAIRS, 4, 2)
    report = chat_eval.hits_at_1(bot, chosen, distractors, background=BACKGROUND[:2])  # another background than the ranking's
    scores = np.array([bot.rank(m, [true] + others) for (m, true), others in zip(chosen, distractors)])
    assert report["hits_at_1_ranking"] == chat_eval.first_share(scores)
    assert report["ranking"] == bot.ranking.to_dict()
    assert "hits_at_1_ranking" not in chat_eval.hits_at_1(Chatbot(chat_artifact()), chosen, distractors)


def test_a_ranking_without_what_it_needs_is_a_checkpoint_error(tmp_path):
    artifact = ranking_artifact()
    del artifact.blobs[keys.WORD_LINKS]
    with pytest.raises(CheckpointError, match="word_links"):
        Chatbot(artifact)
    wordless = ranking_artifact(overlap=0.0, association=0.0)
    del wordless.blobs[keys.WORD_LINKS]
    assert Chatbot(wordless).ranker is not None  # a ranking that weighs no words needs no word links
    broken = ranking_artifact()
    broken.blobs[keys.WORD_LINKS] = b"garbage"
    with pytest.raises(CheckpointError, match="word links are unreadable"):
        Chatbot(broken).rank("a", ["b"])
    no_backward = ranking_artifact(backward=False)
    with pytest.raises(CheckpointError, match="backward"):
        Chatbot(no_backward).rank("a", ["b"])
    odd = ranking_artifact()
    odd.config[keys.RANKING] = {"prior": -2}
    with pytest.raises(CheckpointError, match="ranking settings are invalid"):
        Chatbot(odd)
    path = save_artifact(tmp_path / "chat.npz", ranking_artifact())
    assert Chatbot.load(path).rank("a bad", ["dad?"]).shape == (1,)


# --- tuning ---------------------------------------------------------------------------------------

def test_the_choice_is_the_best_mean_then_the_best_worst_seed_then_the_first():
    from seqbot.evaluation.chat_ranking import choose

    row = lambda hits, overlap=0.0: {"ranking": RankingConfig(overlap=overlap).to_dict(), "hits_at_1": hits,  # noqa: E731
                                     "mean": round(float(np.mean(hits)), 4)}
    uneven, even, same, worse = row([0.4, 0.2]), row([0.3, 0.3], 2.0), row([0.3, 0.3], 4.0), row([0.3, 0.2])
    assert choose([worse, uneven, even, same]) is even


def test_chat_ranking_tunes_on_validation_and_exports_only_with_force(fixtures_dir, tmp_path, capsys):
    from seqbot.errors import SeqbotError
    from seqbot.evaluation.chat_ranking import main as ranking_main
    from tests.test_chat_rerank import shipped_fixture_model

    shipped = shipped_fixture_model(tmp_path)
    before = shipped.read_bytes()
    options = ["--corpora", str(fixtures_dir / "generate"), "--messages", "5", "--seeds", "1,2",
               "--background-messages", "4", "--priors", "0.5,1", "--overlaps", "0,3", "--associations", "0,0.1",
               "--out", str(tmp_path / "out")]
    assert ranking_main([str(shipped), *options]) == 0
    assert shipped.read_bytes() == before
    assert "chosen" in capsys.readouterr().out
    result = load_artifact(tmp_path / "out" / "chat.npz", kind="seq2seq")
    record = result.metadata[keys.RANKING]
    grid = json.loads((tmp_path / "out" / "ranking_grid.json").read_text())
    assert len(grid["rows"]) == 2 * 1 * 2 * 2  # no backward model: its weight stays 0
    assert all(len(row["hits_at_1"]) == 2 for row in grid["rows"])
    assert record["chosen"] == max(grid["rows"], key=lambda row: (row["mean"], min(row["hits_at_1"])))
    assert result.config[keys.RANKING] == record["chosen"]["ranking"]
    assert len(json.loads(result.blobs[keys.RANKING_BACKGROUND])) == 4
    bot = Chatbot.load(tmp_path / "out" / "chat.npz")
    assert bot.ranker.word_links.links > 0 and bot.ranking.to_dict() == record["chosen"]["ranking"]
    with pytest.raises(SeqbotError, match="--force"):
        ranking_main([str(shipped), *options, "--export", str(shipped)])
    assert ranking_main([str(shipped), *options, "--export", str(shipped), "--force"]) == 0
    assert keys.WORD_LINKS in load_artifact(shipped).blobs
    with pytest.raises(SeqbotError, match="overlap"):
        ranking_main([str(shipped), *options, "--overlaps", "0,-1"])


def test_eval_chat_prints_hits_at_1_by_the_ranking(tmp_path, capsys):
    from seqbot.cli import main

    checkpoint = save_artifact(tmp_path / "chat.npz", ranking_artifact())
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("".join(f"{m}\t{r}\n" for m, r in PAIRS), encoding="utf-8")
    assert main(["eval", "chat", "--checkpoint", str(checkpoint), "--pairs", str(pairs), "--messages", "6",
                 "--distractors", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0 <= report["hits_at_1_ranking"] <= 1 and report["ranking"]["overlap"] == 4.0
    assert main(["eval", "chat", "--checkpoint", str(checkpoint), "--pairs", str(pairs), "--messages", "6",
                 "--distractors", "4"]) == 0
    hits_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("hits@1"))
    assert f"by the ranking {report['hits_at_1_ranking']:.1%} (prior 1.0, backward 0.5, overlap 4.0" in hits_line


def test_word_links_with_nothing_in_them_are_refused_or_read_as_no_evidence():
    with pytest.raises(ValueError, match="need <null> first"):
        WordLinks([], np.zeros(0), 0, *(TranslationTable(0, np.zeros(0), np.zeros(0), np.zeros(0)),) * 2)
    vocabulary = [NULL, "hi", "hello"]
    empty = TranslationTable(3, np.zeros(0, dtype=np.int64), np.zeros(0), np.array([0.0, 0.5, 0.5]))
    links = WordLinks(vocabulary, np.ones(3), 4, empty, empty)
    # every link unseen: log(FLOOR) - log u(w) per word, each way
    assert links.association(["hi"], ["hello"])[0] == pytest.approx(2 * (math.log(FLOOR) - math.log(0.5)))
