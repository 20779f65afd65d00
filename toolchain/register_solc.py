"""Register the solc-js adapter with py-solc-x as `solc-v<version>` (idempotent).

py-solc-x (and so ape-solidity) only runs compilers found in its install folder and would
otherwise try to download one, which these offline machines cannot do.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    node = shutil.which("node")
    if node is None:
        print("register_solc: node is not on PATH; install Node.js 18 or newer", file=sys.stderr)
        return 1
    adapter = ROOT / "toolchain" / "solc-adapter.js"
    package = ROOT / "node_modules" / "solc" / "package.json"
    if not package.exists():
        print("register_solc: node_modules/solc is missing; run `npm ci` first", file=sys.stderr)
        return 1
    version = json.loads(package.read_text())["version"]
    target = solcx.get_solcx_install_folder() / f"solc-v{version}"
    script = f'#!/bin/sh\nexec "{node}" "{adapter}" "$@"\n'
    if not target.exists() or target.read_text() != script:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(script)
        target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        print(f"registered solc {version} (solc-js adapter) at {target}")
    installed = solcx.get_installed_solc_versions()
    if not any(str(v) == version for v in installed):
        print(f"register_solc: py-solc-x does not see {version} at {target}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
