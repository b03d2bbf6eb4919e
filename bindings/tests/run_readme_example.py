"""Runs the ```python block of README.md, so the README's Python example cannot rot."""

import re
import sys
from pathlib import Path

readme = Path(sys.argv[1]).read_text(encoding="utf-8")
blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
if len(blocks) != 1:
    sys.exit(f"README.md has {len(blocks)} python blocks, expected 1")
exec(compile(blocks[0], "README.md", "exec"), {"__name__": "__main__"})
