"""`seqbot models info NAME`: how a checkpoint was made, read from its metadata (no TensorFlow).

Prints the command that rebuilds it (from the recipe registry, seqbot/training/recipes.py, for a
shipped checkpoint; else the one the artifact recorded), the recipe, the exact command it was made
with, the data's sha256, the code version, the hardware, the training time and the metrics. Checkpoints trained before the shared training loop recorded some
of these under other keys (training.settings, training.machine, training.time_s); those are shown,
and what was never recorded says so.
"""

from __future__ import annotations

import json
from pathlib import Path

NOT_RECORDED = "not recorded (trained before seqbot recorded it)"


def checkpoint_path(name: str, checkpoints: str | None) -> Path:
    from seqbot.paths import default_checkpoint

    candidate = Path(name)
    if candidate.suffix == ".npz" and candidate.exists():
        return candidate
    return default_checkpoint(name, checkpoints)


def info_fields(metadata: dict, registry_recipe=None) -> dict[str, object]:
    """(label -> value) for the printed record, falling back on the older metadata layouts, then on
    `registry_recipe` (the recipe registry's entry for a shipped checkpoint) for the recipe."""
    training = metadata.get("training") or {}
    recipe = metadata.get("recipe") or training.get("settings") or training.get("options")
    recipe_name = metadata.get("recipe_name") or metadata.get("trained_as")
    time_s = metadata.get("training_time_s", training.get("time_s"))
    hardware = metadata.get("hardware") or training.get("machine")
    scores = dict(metadata.get("scores") or {})
    for key in ("val_loss", "val_accuracy"):
        if key in training and key not in scores:
            scores[key] = training[key]
    if recipe:
        recipe_text = json.dumps(recipe, sort_keys=True)
    elif registry_recipe is not None:
        recipe_name = recipe_name or registry_recipe.name
        recipe_text = f"{json.dumps(registry_recipe.settings, sort_keys=True)} (from the recipe registry; not recorded)"
    else:
        recipe_text = NOT_RECORDED
    return {
        "recipe": (f"{recipe_name}: " if recipe_name else "") + recipe_text,
        "command": metadata.get("command") or NOT_RECORDED,
        "data sha256": metadata.get("data_sha256") or NOT_RECORDED,
        "code version": metadata.get("code_version") or NOT_RECORDED,
        "hardware": hardware or NOT_RECORDED,
        "training time": f"{time_s:.1f} s" if isinstance(time_s, (int, float)) else NOT_RECORDED,
        "date": metadata.get("date") or NOT_RECORDED,
        "metrics": scores or NOT_RECORDED,
        **({"calibration": calibration_summary(metadata["calibration"])} if metadata.get("calibration") else {}),
        **({"backward model": backward_summary(metadata["backward"])} if isinstance(metadata.get("backward"), dict) else {}),
        **({"ranking": ranking_summary(metadata["ranking"])} if isinstance(metadata.get("ranking"), dict) else {}),
    }


def ranking_summary(record: dict) -> dict[str, str]:
    """What a chat artifact records of its ranking of given replies (seqbot.evaluation.chat_ranking)."""
    chosen = record.get("chosen") or {}
    weights = chosen.get("ranking") or {}
    hits = chosen.get("hits_at_1") or []
    links = record.get("word_links") or {}
    return {"weights": ", ".join(f"{key} {value}" for key, value in weights.items()) or NOT_RECORDED,
            "validation hits@1": " / ".join(f"{value:.1%}" for value in hits if isinstance(value, (int, float)))
                                 or NOT_RECORDED,
            "word links": (f"{links['words']:,} words, {links['links']:,} links"
                           if isinstance(links.get("words"), int) and isinstance(links.get("links"), int) else NOT_RECORDED)}


def backward_summary(record: dict) -> dict[str, str]:
    """What a chat artifact records of the backward model it carries (seqbot.engine.backward.carry)."""
    scores = record.get("scores") or {}
    return {"command": record.get("command") or NOT_RECORDED,
            "metrics": ", ".join(f"{key} {value:.4f}" if isinstance(value, float) else f"{key} {value}"
                                 for key, value in scores.items()) or NOT_RECORDED}


def calibration_summary(record: dict) -> dict[str, str]:
    """temperature -> 'T on N validation texts (log-loss a -> b)' for each fitted temperature."""
    summary = {}
    for key, fit in record.items():
        if isinstance(fit, dict) and "value" in fit:
            summary[key.replace("_", " ")] = (f"{fit['value']} on {fit['validation_texts']} validation texts (log-loss "
                                              f"{fit['before']['log_loss']} -> {fit['after']['log_loss']})")
    if "fitted_on" in record:
        summary["fitted on"] = record["fitted_on"]
    return summary


TRAINER_OF_KIND = {"classifier": "classify", "naive_bayes": "classify", "generator": "generate"}


def rebuild_command(path: Path, artifact) -> str:
    """A `seqbot train ...` command that rebuilds the checkpoint at `path`: the registry's recipe for a
    shipped checkpoint's name, else the command the artifact recorded, else the registry's recipe of
    the name it was trained as; for a chat model whose replies are reranked, the reranking step after it."""
    from seqbot.errors import SeqbotError
    from seqbot.paths import shipped_checkpoints_dir
    from seqbot.training.recipes import find_recipe, shipped_recipe

    shown = f"checkpoints/{path.name}" if path.parent.resolve() == shipped_checkpoints_dir().resolve() else str(path)
    recipe = shipped_recipe(path.stem)
    if recipe is None:
        recorded = artifact.metadata.get("command") or ""
        if recorded.startswith("seqbot train "):
            return recorded
        trainer = TRAINER_OF_KIND.get(artifact.kind) or ("chat" if artifact.config.get("task") == "chat" else "translate")
        trained_as = artifact.metadata.get("recipe_name") or artifact.metadata.get("trained_as")
        try:
            recipe = find_recipe(trainer, trained_as or "")
        except SeqbotError:  # a recipe that is gone or was never named
            return "not in the recipe registry (seqbot models recipes lists the recipes)"
    if recipe.trainer != "chat" or not (artifact.metadata.get("rerank") or artifact.metadata.get("ranking")):
        return f"{recipe.command} --export {shown} --force"
    steps, model = [recipe.command], "runs/chat/model.npz"
    if artifact.metadata.get("rerank"):  # its decoding was tuned after training
        if "backward" in artifact.config:  # and it carries a backward model p(message | reply) (MMI-bidi)
            steps = [recipe.command, f"{recipe.command} --backward --out runs/chat-backward",
                     f"python -m seqbot.evaluation.chat_rerank {model} --backward runs/chat-backward/model.npz"]
        else:
            steps.append(f"python -m seqbot.evaluation.chat_rerank {model}")
        model = "runs/chat-rerank/model.npz"
    if artifact.metadata.get("ranking"):  # and its ranking of given replies after that
        steps.append(f"python -m seqbot.evaluation.chat_ranking {model}")
    steps[-1] += f" --export {shown} --force"
    return ", ".join(steps[:-1]) + ", then " + steps[-1]


def print_info(name: str, checkpoints: str | None) -> None:
    from seqbot.artifact import load_artifact

    path = checkpoint_path(name, checkpoints)
    artifact = load_artifact(path)
    print(f"{path} ({artifact.kind}, {path.stat().st_size / 1e6:.1f} MB)")
    print(f"  {'rebuild:':<15} {rebuild_command(path, artifact)}")
    from seqbot.training.recipes import shipped_recipe

    for label, value in info_fields(artifact.metadata, shipped_recipe(path.stem)).items():
        if isinstance(value, dict):
            print(f"  {label}:")
            for key, item in value.items():
                print(f"    {key}: {item:.4f}" if isinstance(item, float) else f"    {key}: {item}")
        else:
            print(f"  {label + ':':<15} {value}")
