"""docs/attacks.md stays true to the code: at least 20 attacks, each naming tests that exist, and every
strategy the arena offers appears in it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from seqmarket.agents.strategies import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "attacks.md").read_text()
ROWS = [line for line in DOC.splitlines() if re.match(r"^\| \d+ \|", line)]


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _resolve(name: str) -> Path:
    """A test file by its path from the root, or by its file name anywhere under tests/."""
    if (ROOT / name).exists():
        return ROOT / name
    found = list((ROOT / "tests").rglob(Path(name).name))
    assert len(found) == 1, f"{name}: {len(found)} files match"
    return found[0]


def test_at_least_twenty_attacks_each_with_tests_and_a_measured_outcome():
    assert len(ROWS) >= 20
    for row in ROWS:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 6, row
        assert "test" in cells[4] and cells[5], row


def test_every_test_the_table_names_exists():
    problems = []
    last_file: Path | None = None
    for row in ROWS:
        tests_cell = row.strip("|").split("|")[4]
        for ref in re.findall(r"`([^`]+)`", tests_cell):
            file_part, _, test = ref.partition("::")
            if file_part:
                last_file = _resolve(file_part)
            if not test:
                continue
            assert last_file is not None, ref
            if test not in _tests_in(last_file):
                problems.append(f"{ref}: no {test} in {last_file.relative_to(ROOT)}")
    assert not problems, "\n".join(problems)


def test_every_adversarial_strategy_is_in_the_table():
    named = set(re.findall(r"\(`([a-z-]+)`", DOC)) | set(re.findall(r"`([a-z-]+)`,", DOC))
    adversarial = {name for name, cls in REGISTRY.items() if not cls.honest and name != "shaded"}
    assert adversarial <= named, sorted(adversarial - named)
