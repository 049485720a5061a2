"""The contract between training and the engine: what the numbers and keys of an artifact mean.

Training writes artifacts and the engine reads them; both import from here and neither imports the
other (tests/test_layers.py checks it):

- `tokens`: the seq2seq special ids (<pad>, <start>, <end>, <unk> = 0..3), first in every character vocabulary;
- `text`: the chat model's text normalisation, applied to its training pairs and to every typed message;
- `decoding`: `DecodingConfig`, the decoding settings an artifact records under config["decoding"];
- `limits`: the widest beam search anything runs (imports nothing: the app reads it before NumPy);
- `keys`: artifact kinds, tasks, and the config and blob keys one side writes and the other reads;
- `shipped`: the table of shipped models, one row per file in checkpoints/ (kind, task, language, labels,
  side-panel place, app mode), read by the engine, the app, the commands and the training recipes.

Nothing here imports TensorFlow, `seqbot.training` or `seqbot.engine`; this file imports nothing.
"""
