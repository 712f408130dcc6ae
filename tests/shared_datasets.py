"""Where the shared public datasets are, if anywhere: HAKAM_DATASETS, else ../shared/datasets
beside the clone (CI's layout), else two levels up (a git worktree under wt/). Tests that need
them skip, naming the folder, only when none exists."""

from __future__ import annotations

import os
from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parents[1]
_CANDIDATES = [Path(os.environ["HAKAM_DATASETS"])] if os.environ.get("HAKAM_DATASETS") else []
_CANDIDATES += [_REPOSITORY.parent / "shared" / "datasets",
                _REPOSITORY.parent.parent / "shared" / "datasets"]

DATASETS = next((path for path in _CANDIDATES if path.is_dir()), _CANDIDATES[0])
ABSENT_REASON = ("the shared dataset folder is absent (looked in "
                 f"{', '.join(map(str, _CANDIDATES))})")
