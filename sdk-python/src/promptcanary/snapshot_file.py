"""The last routing snapshot and the versions it names, kept on disk.

A client started while the server is down serves what the server last said. Written whole to a
temporary file in the same directory and moved into place (``os.replace``), so a crash mid-write
leaves the previous snapshot. The layout is the Java SDK's (``{"snapshot": ..., "versions": [...]}``
in the server's JSON), so either SDK reads the other's file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import List, Mapping, Optional, Tuple


class SnapshotFile:
    def __init__(self, path) -> None:
        self.path = Path(path)

    def load(self) -> Optional[Tuple[Mapping, List[Mapping]]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                saved = json.load(f)
            return saved["snapshot"], list(saved.get("versions") or [])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a missing or damaged cache is no cache; the server will send a fresh one

    def save(self, snapshot: Mapping, versions: List[Mapping]) -> None:
        directory = self.path.absolute().parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"snapshot": snapshot, "versions": versions}, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
