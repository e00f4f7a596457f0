"""Where the cited data files live: ``data/`` beside the packages, or ``DOCKETCAL_DATA``."""

from __future__ import annotations

import os
from pathlib import Path

_DEFAULT = Path(__file__).resolve().parent.parent / "data"


def data_path(*parts: str) -> Path:
    root = Path(os.environ.get("DOCKETCAL_DATA") or _DEFAULT)
    return root.joinpath(*parts)
