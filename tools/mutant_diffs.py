"""Print the diff of each mutant named on stdin, as one JSON object, for :mod:`tools.mutate`.

``mutmut show NAME`` costs a process and a configuration load per mutant (seconds each, so an
hour over a run's survivors); this reads every diff in one process, run in a pass's stage.
"""

from __future__ import annotations

import json
import sys

from mutmut.mutation.diff_apply import get_diff_for_mutant


def main() -> int:
    names = [line.strip() for line in sys.stdin if line.strip()]
    json.dump({name: get_diff_for_mutant(name) for name in names}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
