"""Chat-length snippets of reviews (seqbot.data.short_messages): how reviews are cut, the seeded
short-message test set drawn from strongly rated test reviews only, and the hand-checked sample
that refers to it by fingerprint (checked against the real corpus when SEQBOT_CORPORA is set)."""

from __future__ import annotations

from collections import Counter

import pytest

from seqbot.data import imdb
from seqbot.data.short_messages import (CHECKED_FILE, HAND_LABELS, VALIDATION_CHECKED_FILE, VALIDATION_SET_SIZE, crops,
                                        hand_checked, imdb_short_messages, sentences, snippets)


def test_sentences_split_before_a_capital_and_keep_abbreviation_like_dots_inside():
    assert sentences("Great film. I loved it!  Would   see again? yes.") == ["Great film.", "I loved it!",
                                                                            "Would see again? yes."]
    assert sentences("It cost 3.5 million. \"Wow\" said he.") == ["It cost 3.5 million.", "\"Wow\" said he."]


def test_snippets_keep_short_sentences_whole_and_cut_long_ones_at_clauses():
    text = ("Great cast. This film is one of the best I have ever seen in my whole life. "
            "The plot, however, drags on and on in the middle hour of this film, sadly -- and the end is fine.")
    pieces = snippets(text)
    assert "This film is one of the best I have ever seen in my whole life." not in pieces  # 14 words
    assert pieces == ["drags on and on in the middle hour of this film", "and the end is fine."]
    assert all(3 <= len(piece.split()) <= 12 for piece in pieces)
    assert snippets("Ok. !!! ... 10/10") == []  # too short, or no words


def test_crops_are_seeded_capped_and_labelled_by_their_text():
    texts = ["I liked the actors a lot. The music was great too. The ending made me cry.", "Boring and far too long."]
    got_texts, got_labels = crops(texts, [1, 0], per_text=2, seed=3)
    assert crops(texts, [1, 0], per_text=2, seed=3) == (got_texts, got_labels)
    assert Counter(got_labels) == {1: 2, 0: 1}  # the second review has a single snippet
    assert set(got_texts[:2]) <= set(snippets(texts[0])) and got_texts[2] == "Boring and far too long."


def review(split, label, rating, review_id, text):
    return imdb.Review(text, label, rating, split, review_id)


def fake_reviews():
    rows = []
    for i in range(30):
        rows.append(review("test", 1, 10 if i % 2 else 7, i, f"Loved every minute of film {i}. Truly a gem."))
        rows.append(review("test", 0, 1 if i % 2 else 4, 100 + i, f"Hated every minute of film {i}. Total waste."))
        rows.append(review("train", 1, 10, 200 + i, "Training review, never in the test set."))
    return rows


def test_the_short_message_set_is_balanced_seeded_and_from_strong_test_reviews_only():
    messages = imdb_short_messages(fake_reviews(), size=20)
    assert Counter(m.label for m in messages) == {0: 10, 1: 10}
    assert all(m.review.startswith("test/") for m in messages)
    assert all(int(m.review.rsplit("_", 1)[1]) in (1, 10) for m in messages)  # 7 and 4 stars are not strong
    assert [m.text for m in imdb_short_messages(fake_reviews(), size=20)] == [m.text for m in messages]
    with pytest.raises(ValueError, match="needs 20 of each"):
        imdb_short_messages(fake_reviews(), size=40)


def test_hand_checked_rows_match_by_fingerprint_and_count_the_others(tmp_path):
    messages = imdb_short_messages(fake_reviews(), size=20)
    first, second = messages[:2]
    path = tmp_path / "checked.tsv"
    path.write_text("# comment\nreview\tindex\tfingerprint\thand_label\n"
                    f"{first.review}\t{first.index}\t{first.fingerprint}\tpositive\n"
                    f"{second.review}\t{second.index}\t0000000000\tnegative\n")  # a different text: not matched
    checked, unmatched = hand_checked(messages, path)
    assert [(c.message, c.hand_label) for c in checked] == [(first, 1)] and unmatched == 1
    path.write_text(f"{first.review}\t{first.index}\t{first.fingerprint}\tmaybe\n")
    with pytest.raises(ValueError, match="not one of"):
        hand_checked(messages, path)


def test_the_shipped_hand_checked_sample_stores_no_review_text():
    rows = [line.split("\t") for line in CHECKED_FILE.read_text().splitlines() if line and not line.startswith("#")][1:]
    assert len(rows) == 300 and all(len(row) == 4 and row[3] in HAND_LABELS for row in rows)
    assert all(len(row[2]) == 10 and int(row[2], 16) >= 0 for row in rows)


def test_the_hand_checked_sample_matches_the_real_test_set(real_corpora):
    reviews = imdb.read_reviews(real_corpora / imdb.DEFAULT_FILE, splits=("test",))
    messages = imdb_short_messages(reviews)
    checked, unmatched = hand_checked(messages)
    assert unmatched == 0 and [c.message for c in checked] == messages[:300]
    assert all(len(m.text.split()) <= 12 for m in messages)


def test_the_validation_sample_comes_from_the_reviews_that_validate_and_never_from_test(real_corpora):
    from seqbot.data.classify_splits import imdb_reviews
    from seqbot.training.classify import CONFIGS, validation_cut, load_dataset

    train, _ = imdb_reviews(real_corpora)
    cut = validation_cut(CONFIGS["imdb_lstm_cnn_crops"], load_dataset("imdb", str(real_corpora)))
    messages = imdb_short_messages(train[cut:], VALIDATION_SET_SIZE, split="train")
    checked, unmatched = hand_checked(messages, VALIDATION_CHECKED_FILE)
    assert unmatched == 0 and len(checked) == 200 and all(c.message.review.startswith("train/") for c in checked)
    validating = {f"{r.id}_{r.rating}" for r in train[cut:]}
    assert all(c.message.review.split("/")[-1] in validating for c in checked)
