"""The package's layers stay layers: every import points down, and the pure layers never load chain code.

Layers, lowest first (docs/design.md, "Architecture"): errors, protocol, clearing, agents, chain, rounds,
jobs, cli. A module may import its own layer and the ones below it, never one above. The pure layers
(errors, protocol, clearing, agents) run without a chain, so the simulator and the arena can use them
without ape.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "seqmarket"
LAYERS = ["errors", "protocol", "clearing", "agents", "chain", "rounds", "operator", "jobs", "cli"]
PURE = {"errors", "protocol", "clearing", "agents"}
# Pure modules in a layer that may use the chain: the arena's records and its scoring are plain data and
# the same clearing code, so a round can be scored again without a chain; the operator service's planner,
# state store and log lines, so its decisions are tested without a node.
PURE_MODULES = [
    "seqmarket.rounds.record",
    "seqmarket.rounds.scoring",
    "seqmarket.operator.planner",
    "seqmarket.operator.store",
    "seqmarket.operator.events",
]
# Third-party packages allowed only from a layer up: chain access, and terminal output.
ALLOWED_FROM = {"ape": "chain", "web3": "chain", "rich": "jobs", "click": "cli"}


def _layer(module: str) -> str | None:
    """The layer of a seqmarket module name (None for the package itself)."""
    parts = module.split(".")
    if parts[0] != "seqmarket" or len(parts) == 1:
        return None
    return parts[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every import in ``source``, wherever it stands (functions, TYPE_CHECKING blocks)."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.append((node.lineno, ".".join([*base, node.module or ""]).rstrip(".")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _file_imports(path: Path) -> list[tuple[int, str]]:
    return _imports(path.read_text(), _module_name(path), path.name == "__init__.py")


def _violations(module: str, imports: list[tuple[int, str]], where: str) -> list[str]:
    """What is wrong with ``module`` importing ``imports`` (empty when every import points down)."""
    layer = _layer(module)
    if layer is None:
        return []
    rank = LAYERS.index(layer)
    problems = []
    for line, imported in imports:
        target = _layer(imported)
        if target is not None and LAYERS.index(target) > rank:
            problems.append(f"{where}:{line}: {layer} imports {imported} ({target} is above {layer})")
        top = imported.split(".")[0]
        if top in ALLOWED_FROM and rank < LAYERS.index(ALLOWED_FROM[top]):
            problems.append(f"{where}:{line}: {layer} imports {top}, allowed from {ALLOWED_FROM[top]} up")
    return problems


def test_every_module_belongs_to_a_layer():
    strays = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if _layer(_module_name(path)) not in (*LAYERS, None)
    ]
    assert not strays, f"modules outside the layers {LAYERS}: {strays}"


def test_imports_only_point_down():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += _violations(_module_name(path), _file_imports(path), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


def test_the_check_catches_upward_imports():
    """A clearing module importing a round driver (also relatively, or under TYPE_CHECKING), or ape, is
    reported: the check can fail."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from ..rounds import operator\n"
        "import ape.api\n"
        "if TYPE_CHECKING:\n"
        "    from seqmarket.jobs.report import eth\n"
    )
    module = "seqmarket.clearing.probe"
    problems = _violations(module, _imports(source, module), "probe")
    assert problems == [
        "probe:2: clearing imports seqmarket.rounds (rounds is above clearing)",
        "probe:3: clearing imports ape, allowed from chain up",
        "probe:5: clearing imports seqmarket.jobs.report (jobs is above clearing)",
    ]


def test_benchmarks_use_only_pure_layers():
    problems = []
    for path in sorted((ROOT / "benchmarks").rglob("*.py")):
        for line, module in _file_imports(path):
            target = _layer(module)
            if target is not None and target not in PURE:
                problems.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("layer", [*sorted(PURE), *PURE_MODULES])
def test_pure_layers_load_without_chain_code(layer):
    """Imported alone, in a fresh interpreter, no pure layer (or pure module) pulls in ape or web3, not
    even indirectly."""
    if layer in PURE_MODULES:
        modules = [layer]
    else:
        folder = PACKAGE / layer
        modules = [_module_name(path) for path in sorted(folder.rglob("*.py") if folder.is_dir() else [])]
        modules = modules or [f"seqmarket.{layer}"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'ape', 'web3', 'eth_tester'})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "", f"{layer} loads {result.stdout.strip()}"


def test_pure_tests_do_not_load_the_chain_fixtures():
    """Tests of the pure layers import neither ape nor the on-chain fixtures; no conftest above them does."""
    tests = ROOT / "tests"
    assert not (tests / "conftest.py").exists() or "ape" not in (tests / "conftest.py").read_text()
    problems = []
    for folder in sorted(PURE - {"errors"}):
        for path in sorted((tests / folder).rglob("*.py")):
            for line, module in _file_imports(path):
                if module.split(".")[0] == "ape" or module == "tests.support.onchain":
                    problems.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    assert not problems, "\n".join(problems)
