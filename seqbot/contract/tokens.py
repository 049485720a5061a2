"""The special ids of every character vocabulary (the translator's and the chat model's).

Ids 0..3 are <pad>, <start>, <end>, <unk>; characters follow. Training encodes with them
(seqbot.data.char_vocab) and the engine decodes with them (seqbot.engine.seq2seq, decoding).
"""

SPECIALS = ("<pad>", "<start>", "<end>", "<unk>")
PAD, START, END, UNKNOWN = range(len(SPECIALS))
