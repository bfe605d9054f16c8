"""Build rtgate's wheel and sdist, naming the commit they come from.

``python -m tools.build_dist OUTDIR`` writes ``harness/BUILD_COMMIT`` (the checkout's HEAD),
runs ``python -m build --sdist --wheel`` (the wheel is built from the sdist, so both carry it),
and removes the file again: ``rtgate --version`` from the wheel then says ``0.1.0+g<commit>``
as a checkout does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.build_info import BUILD_COMMIT
from harness.build_info import checkout_commit

ROOT = Path(__file__).resolve().parent.parent


def build(outdir: Path) -> list[Path]:
    """The wheel and the sdist built into ``outdir``.

    Raises:
        RuntimeError: not a git checkout, or the build failed (with its output's end).
    """
    commit = checkout_commit(ROOT)
    if commit is None:
        raise RuntimeError(f"{ROOT} is not a git checkout: no commit to name")
    stamp = ROOT / "harness" / BUILD_COMMIT
    stamp.write_text(commit + "\n", encoding="ascii")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(outdir)],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        stamp.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"python -m build failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return sorted(outdir.iterdir())


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]).absolute()):
        print(path)
