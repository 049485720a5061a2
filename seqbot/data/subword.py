"""Sentencepiece models trained in memory, nothing written to disk.

    model = train_sentencepiece(texts, vocab_size=8000)
    model.processor.encode("영화 정말 좋아요")     # ids
    save_artifact(..., blobs={"sentencepiece": model.model_bytes})
    processor = load_processor(model_bytes)        # at inference
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from seqbot.errors import SeqbotError


@dataclass
class SubwordModel:
    model_bytes: bytes
    processor: object  # sentencepiece.SentencePieceProcessor

    @property
    def vocab_size(self) -> int:
        return self.processor.get_piece_size()


def load_processor(model_bytes: bytes):
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.LoadFromSerializedProto(model_bytes)
    except (RuntimeError, OSError, TypeError) as error:
        raise SeqbotError(f"not a sentencepiece model ({error})") from None
    return processor


def train_sentencepiece(sentences: Iterable[str], vocab_size: int = 8000, model_type: str = "unigram",
                        character_coverage: float = 0.9995, **options) -> SubwordModel:
    """Train on the non-empty sentences. Extra keyword options go to SentencePieceTrainer.train
    (e.g. pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, hard_vocab_limit=False)."""
    import sentencepiece

    model = io.BytesIO()
    lines = (sentence.replace("\n", " ") for sentence in sentences if sentence and sentence.strip())
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=lines, model_writer=model, vocab_size=vocab_size, model_type=model_type,
            character_coverage=character_coverage, minloglevel=2, **options)
    except RuntimeError as error:
        raise SeqbotError(f"sentencepiece training failed: {str(error).strip()}") from None
    model_bytes = model.getvalue()
    return SubwordModel(model_bytes, load_processor(model_bytes))
