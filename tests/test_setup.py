"""Set-up keeps its state in the checkout and repairs a .venv made with the wrong Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAKE_PYTHON = """#!/bin/sh
case "$*" in
  *--version*) echo "Python {version}" ;;
  *) echo {matches} ;;
esac
"""


def _checkout_with_venv(tmp_path: Path, version: str, matches: bool) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON.format(version=version, matches=matches))
    python.chmod(0o755)
    return tmp_path


def test_a_venv_of_the_wrong_python_is_rebuilt(tmp_path):
    checkout = _checkout_with_venv(tmp_path, "3.9.18", matches=False)
    result = subprocess.run(["make", "help"], cwd=checkout, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert ".venv was made with Python 3.9.18; seqmarket needs Python 3.11: rebuilding .venv" in result.stdout
    assert not (checkout / ".venv").exists()


def test_a_venv_of_the_right_python_is_kept(tmp_path):
    checkout = _checkout_with_venv(tmp_path, "3.11.7", matches=True)
    result = subprocess.run(["make", "help"], cwd=checkout, capture_output=True, text=True)
    assert result.returncode == 0 and "rebuilding" not in result.stdout
    assert (checkout / ".venv" / "bin" / "python").exists()


def test_compiler_and_ape_state_live_in_the_checkout():
    """Without the variables set, the venv's programs find the compiler and ape's data under .cache/."""
    env = {k: v for k, v in os.environ.items() if k not in ("SOLCX_BINARY_PATH", "APE_DATA_FOLDER")}
    code = "import os, solcx; print(solcx.get_solcx_install_folder()); print(os.environ['APE_DATA_FOLDER'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    solcx_folder, ape_folder = result.stdout.split()
    assert Path(solcx_folder) == ROOT / ".cache" / "solcx"
    assert Path(ape_folder) == ROOT / ".cache" / "ape"
    assert any(p.name.startswith("solc-v") for p in Path(solcx_folder).iterdir())
