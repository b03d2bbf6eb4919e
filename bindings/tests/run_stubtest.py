"""ctest `python_stubtest`: checks puppies/__init__.pyi against the built module.

Runs `python3 -m mypy.stubtest puppies` (PYTHONPATH must hold the built package), then type-checks
the quickstart example against the stubs with `mypy --strict`. Exits 77 (ctest SKIP_RETURN_CODE)
when mypy is not importable: install Debian's python3-mypy.
"""

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "quickstart.py"


def main() -> int:
    if importlib.util.find_spec("mypy") is None:
        print("SKIP: mypy is not importable by", sys.executable, "(apt-get install python3-mypy)")
        return 77
    # Keep mypy's cache out of the source tree and the working directory.
    with tempfile.TemporaryDirectory(prefix="puppies-mypy-") as cache:
        rc = subprocess.call(
            [sys.executable, "-m", "mypy.stubtest", "puppies"],
            cwd=cache,
        )
        if rc != 0:
            return rc
        return subprocess.call(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, str(EXAMPLE)],
            cwd=cache,
        )


if __name__ == "__main__":
    sys.exit(main())
