"""Trained artifacts measured through the engine, and what is fitted on those measurements.

Training (seqbot.training) writes an artifact without ever importing the engine; the modules here
run it through the engine exactly as it will be served, then score it or fit the small parts
stored beside its weights:

- `calibration`: a classifier's temperatures, fitted on the engine's probabilities;
- `translation_confidence`: the translator's sentence-confidence calibrators;
- `chat_scores`: the chat model's held-out perplexity and sample replies (`python -m seqbot.evaluation.chat_scores`);
- `chat_eval`: the chat model's held-out reply figures (`seqbot eval chat`);
- `chat_rerank`: the chat model's reply language model and MMI settings (`python -m seqbot.evaluation.chat_rerank`);
- `generator_scores`: the generator's streamed bits per character (`python -m seqbot.evaluation.generator_scores`).

They may import the engine, training (for its data splits and run folders) and the contract;
the `seqbot train ...` and `seqbot eval ...` commands call them.
"""
