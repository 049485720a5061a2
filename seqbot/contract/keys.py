"""Artifact kinds, tasks and the config and blob keys that one layer writes and another reads.

An artifact (seqbot.artifact) is `kind` + `config` + `weights` + `blobs` + `metadata`. The names
below are what the trainers and exporters write and the engine looks for; `metadata` is free-form
(seqbot.training.metadata) and only printed.
"""

# Artifact.kind
SEQ2SEQ = "seq2seq"  # the translator and the chat model (config[TASK])
CLASSIFIER = "classifier"  # a Keras layer stack replayed by seqbot.engine.classifier
NAIVE_BAYES = "naive_bayes"
GENERATOR = "generator"  # the character / word language model
KINDS = (SEQ2SEQ, CLASSIFIER, NAIVE_BAYES, GENERATOR)

# config[TASK] of a seq2seq artifact
TASK = "task"
TRANSLATE = "translate"
CHAT = "chat"

# config keys written after the weights
DECODING = "decoding"  # DecodingConfig.to_dict() (seqbot.contract.decoding)
CONFIDENCE = "confidence"  # the translator's sentence-confidence calibrators (seqbot.engine.confidence)
PLACEHOLDERS = "placeholders"  # the translator's stand-ins for unknown names and numbers (seqbot.data.placeholders)
CASE_VARIANTS = "case_variants"  # the translator trained on letter-case variants: it reads case as typed
TEMPERATURE = "temperature"  # a classifier's temperature (seqbot.engine.calibration)
SHORT_TEMPERATURE = "short_temperature"  # ... for texts of at most SHORT_WORDS words
SHORT_WORDS = "short_words"
TEMPERATURES = (TEMPERATURE, SHORT_TEMPERATURE, SHORT_WORDS)
RANKING = "ranking"  # a chat model's RankingConfig.to_dict() (seqbot.contract.ranking): how it ranks given replies
BACKWARD = "backward"  # a chat model's backward model p(message | reply): its config; its weights "backward/<name>"

# blobs
REPLY_LM = "reply_lm"  # the chat model's reply language model (seqbot.engine.char_lm.CharNgramLM.to_bytes)
REPLY_WORDS = "reply_words"  # the words of the chat model's training replies, UTF-8, one a line (decoding known_words)
BACKGROUND = "background_messages"  # the chat model's background messages, a JSON list of fed texts (mmi_prior "model")
RANKING_BACKGROUND = "ranking_background"  # ... those its ranking averages p(reply) over, the same format
WORD_LINKS = "word_links"  # the chat model's word links (seqbot.engine.word_links.WordLinks.to_bytes; its ranking)
SENTENCEPIECE = "sentencepiece"  # a classifier's sentencepiece model (seqbot.data.text_encoding)
