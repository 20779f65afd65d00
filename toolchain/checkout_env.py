"""Keep the tools' state inside this checkout: a .pth file in the venv sets, for every program the venv's
Python runs (ape, pytest, slither...), where py-solc-x looks for compilers and where ape keeps its data.

Without it both default to the home folder (~/.solcx, ~/.ape), shared by every checkout: the compiler
registered there points at whichever checkout ran set-up last and breaks when that one is deleted.
Variables already set in the environment win.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "SOLCX_BINARY_PATH": ROOT / ".cache" / "solcx",
    "APE_DATA_FOLDER": ROOT / ".cache" / "ape",
}


def main() -> int:
    lines = "; ".join(f"os.environ.setdefault({name!r}, {str(path)!r})" for name, path in SETTINGS.items())
    target = Path(sysconfig.get_paths()["purelib"]) / "seqmarket-checkout.pth"
    text = f"import os; {lines}\n"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    for path in SETTINGS.values():
        path.mkdir(parents=True, exist_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
