"""seqbot's layers import one way (docs/architecture.md), read from the source with `ast`, so an import
that only happens inside a function counts too:

    contract  <-  data  <-  models / training  ->  artifact  <-  engine  <-  evaluation  <-  app / commands

- training never imports the engine (nor evaluation, app, commands): what both sides must agree on
  is seqbot.contract; what runs a trained artifact through the engine is seqbot.evaluation;
- models never imports training (nor the engine and above);
- the contract imports nothing of seqbot but itself, data nothing above it;
- the engine, the app and the inference commands never reach TensorFlow or Keras, following every
  seqbot module they import, at the top or inside a function.

tests/test_no_tensorflow.py checks the same at run time for the modules' top-level imports.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import seqbot

PACKAGE = Path(seqbot.__file__).parent
TENSORFLOW = ("tensorflow", "keras")
# package -> the seqbot packages it must never import
FORBIDDEN = {
    "seqbot.contract": ("seqbot.data", "seqbot.models", "seqbot.training", "seqbot.engine", "seqbot.evaluation",
                        "seqbot.app", "seqbot.commands", "seqbot.artifact", "seqbot.paths"),
    "seqbot.data": ("seqbot.models", "seqbot.training", "seqbot.engine", "seqbot.evaluation", "seqbot.app",
                    "seqbot.commands"),
    "seqbot.models": ("seqbot.training", "seqbot.engine", "seqbot.evaluation", "seqbot.app", "seqbot.commands"),
    "seqbot.training": ("seqbot.engine", "seqbot.evaluation", "seqbot.app", "seqbot.commands"),
    "seqbot.engine": ("seqbot.models", "seqbot.training", "seqbot.evaluation", "seqbot.app", "seqbot.commands"),
    "seqbot.evaluation": ("seqbot.app", "seqbot.commands"),
}
# The commands that serve a trained model: the base install (no TensorFlow) runs them. `eval chat` is
# not one: it rebuilds the chat model's held-out pairs with seqbot.training.chat (the training extra).
INFERENCE_COMMANDS = ("translate", "eval_translate", "classify", "eval_classify", "model_info", "model_recipes",
                      "chat", "generate", "app", "history", "data")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def imports(module: str) -> frozenset[str]:
    """Every module `module` imports, anywhere in its source: seqbot modules by full name (a name
    imported from a package counts as its submodule when there is one), others by top-level name."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .y import z
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return frozenset(name if name.startswith("seqbot") else name.split(".")[0] for name in found)


def reachable(module: str) -> dict[str, str]:
    """Every module reached from `module` through seqbot imports, each with the module that imports it."""
    seen, stack = {module: module}, [module]
    while stack:
        current = stack.pop()
        for name in imports(current):
            targets = [name] + [parent for parent in _parents(name) if parent in MODULES]
            for target in targets:
                if target not in seen:
                    seen[target] = current
                    if target in MODULES:
                        stack.append(target)
    return seen


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def path_to(module: str, target: str, seen: dict[str, str]) -> str:
    chain = [target]
    while chain[-1] != module:
        chain.append(seen[chain[-1]])
    return " -> ".join(reversed(chain))


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_walk_sees_imports_inside_functions():
    assert "seqbot.training.naive_bayes" in imports("seqbot.training.classify")  # imported inside train_naive_bayes
    assert "tensorflow" in imports("seqbot.models.keras_setup")
    assert "seqbot.engine.layers" in imports("seqbot.engine.generator")  # `from seqbot.engine import layers`


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(package):
    offenders = [f"{module} imports {name}" for module in MODULES if in_package(module, package)
                 for name in imports(module) if any(in_package(name, above) for above in FORBIDDEN[package])]
    assert not offenders, "\n".join(offenders)


def tensorflow_free_roots() -> list[str]:
    roots = [module for module in MODULES if in_package(module, "seqbot.engine") or in_package(module, "seqbot.app")]
    return roots + ["seqbot.cli"] + [f"seqbot.commands.{name}" for name in INFERENCE_COMMANDS
                                     if f"seqbot.commands.{name}" in MODULES]


@pytest.mark.parametrize("module", tensorflow_free_roots())
def test_engine_app_and_inference_commands_never_reach_tensorflow(module):
    seen = reachable(module)
    reached = [name for name in TENSORFLOW if name in seen]
    assert not reached, "; ".join(path_to(module, name, seen) for name in reached)


def test_a_planted_import_is_caught(tmp_path, monkeypatch):
    """The walk is not vacuous: an engine module importing training inside a function fails the rule."""
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from seqbot.training import loop\n    return loop\n")
    monkeypatch.setitem(MODULES, "seqbot.engine.planted", planted)
    imports.cache_clear()
    try:
        assert "seqbot.training.loop" in imports("seqbot.engine.planted")
        with pytest.raises(AssertionError, match="seqbot.engine.planted imports seqbot.training"):
            test_no_package_imports_a_layer_above_it("seqbot.engine")
    finally:
        imports.cache_clear()
