"""Keeps the client's routing in step with the server, and answers resolves from it.

One long-poll at a time on ``GET /v1/routing/stream`` with the ETag held, answered by the server as
soon as any node's routing changes (a rollback included). A new snapshot is served only once every
version it names is here (each fetched once from ``GET /v1/routing/versions/...``, checked against
its content hash, kept for ever), and swapped in whole. Per prompt the newer fence sequence wins, so
an answer from a lagging node never undoes a change already served. While the server is unreachable
the last routing keeps serving, the health says so, and the poll is retried with jittered
exponential backoff (100 ms doubling up to ``max_backoff``).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, Mapping, Optional

from . import buckets
from ._http import Http, quote_segment
from .models import Arm, PromptVersion, Resolved, Source
from .snapshot_file import SnapshotFile

LOG = logging.getLogger("promptcanary")


@dataclass(frozen=True)
class RoutedPrompt:
    """One prompt's routing in the server's snapshot (``GET /v1/routing``)."""

    prompt: str
    stable_version: int
    stable_content_hash: Optional[str]
    canary_version: Optional[int]
    canary_content_hash: Optional[str]
    canary_weight_bp: int
    rollout_id: Optional[str]
    salt: str
    fence_seq: int

    @staticmethod
    def from_json(data: Mapping) -> "RoutedPrompt":
        canary = data.get("canaryVersion")
        return RoutedPrompt(
            prompt=data["prompt"],
            stable_version=int(data["stableVersion"]),
            stable_content_hash=data.get("stableContentHash"),
            canary_version=None if canary is None else int(canary),
            canary_content_hash=data.get("canaryContentHash"),
            canary_weight_bp=int(data.get("canaryWeightBp") or 0),
            rollout_id=data.get("rolloutId"),
            salt=data.get("salt") or "",
            fence_seq=int(data.get("fenceSeq") or 0),
        )


class LocalRoute:
    """One prompt's routing with the versions it serves and its hash seed, as the server's ``Route``."""

    __slots__ = ("routing", "stable", "canary", "_seed")

    def __init__(self, routing: RoutedPrompt, stable: PromptVersion, canary: Optional[PromptVersion]):
        self.routing = routing
        self.stable = stable
        self.canary = canary
        self._seed = buckets.seed(routing.prompt, routing.salt)

    def _canary_live(self) -> bool:
        return self.canary is not None and self.routing.canary_weight_bp > 0

    def resolve(self, unit: str, pin: Optional[int]) -> Resolved:
        bucket = buckets.bucket_for_seed(self._seed, unit)
        if pin is not None:
            if pin == self.stable.version:
                return self._resolved(Arm.STABLE, self.stable, bucket, True, None, unit)
            if self._canary_live() and pin == self.canary.version:
                return self._resolved(Arm.CANARY, self.canary, bucket, True, None, unit)
        in_canary = self._canary_live() and bucket < self.routing.canary_weight_bp
        served = self.canary if in_canary else self.stable
        note = (
            None
            if pin is None
            else f"pinned version {pin} is no longer served (rolled back or replaced); "
            f"now serving version {served.version}"
        )
        return self._resolved(
            Arm.CANARY if in_canary else Arm.STABLE, served, bucket, False, note, unit
        )

    def _resolved(self, arm, served, bucket, pinned, note, unit) -> Resolved:
        r = self.routing
        return Resolved(
            prompt=r.prompt,
            version=served.version,
            arm=arm,
            bucket=bucket,
            canary_weight_bp=r.canary_weight_bp,
            rollout_id=r.rollout_id,
            pinned=pinned,
            pin_dropped=note is not None,
            note=note,
            content=served,
            unit=unit,
        )


@dataclass(frozen=True)
class View:
    """What resolves read: swapped whole, never changed in place."""

    etag: Optional[str]
    routes: Mapping[str, LocalRoute]
    source: Source
    at: Optional[datetime]


class VersionMismatch(IOError):
    pass


class Routing:
    def __init__(
        self,
        http: Http,
        snapshot_file: Optional[SnapshotFile],
        poll_wait: int,
        max_backoff: float,
    ):
        self._http = http
        self._file = snapshot_file
        self._poll_wait = poll_wait
        self._max_backoff = max_backoff
        self._versions: Dict[tuple, PromptVersion] = {}
        self._first_from_server = threading.Event()
        self._stopped = threading.Event()
        self._install_lock = threading.Lock()
        self.view = View(None, {}, Source.NONE, None)
        self.connected = False
        self.last_error: Optional[str] = None
        self._thread = threading.Thread(target=self._run, name="promptcanary-routing", daemon=True)

    def start(self) -> None:
        """Serves the snapshot on disk, if any, then starts polling."""
        if self._file is not None:
            saved = self._file.load()
            if saved is not None:
                snapshot, versions = saved
                for data in versions:
                    v = PromptVersion.from_json(data)
                    self._versions[(v.prompt, v.version)] = v
                try:
                    self._install(snapshot, Source.DISK)
                except (KeyError, ValueError, TypeError) as incomplete:
                    LOG.warning("ignoring the routing snapshot on disk: %s", incomplete)
        self._thread.start()

    def await_server(self, timeout: float) -> bool:
        return self._first_from_server.wait(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                self._poll()
                failures = 0
            except Exception as e:  # noqa: BLE001 - any failure is a reconnect, never a dead thread
                if self._stopped.is_set():
                    return
                self.connected = False
                self.last_error = f"{type(e).__name__}: {e}"
                failures += 1
                self._stopped.wait(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        """100 ms doubling per failure up to ``max_backoff``, each drawn in [half, full]."""
        full = min(self._max_backoff, 0.1 * (2 ** min(failures - 1, 20)))
        return full / 2 + random.random() * full / 2

    def _poll(self) -> None:
        current = self.view
        # Before the first answer of this server, ask at once (no ETag): a snapshot from disk is
        # checked against the server's rather than trusted for a whole poll.
        held = current.etag if current.source is Source.SERVER else None
        # After a failure, ask without waiting: a server that is back answers at once (304 when
        # nothing changed), so the SDK says it is connected again within its backoff, not a whole
        # long poll later.
        wait = self._poll_wait if self.connected else 0
        reply = self._http.get(
            f"/v1/routing/stream?wait={wait}",
            timeout=self._poll_wait + 10,
            if_none_match=held,
        )
        if reply.status not in (200, 304):
            raise IOError(f"GET /v1/routing/stream answered {reply.status}: {reply.text()}")
        # The push channel is up from the server's answer on: said before the snapshot is swapped in,
        # so no one sees the new routing still marked disconnected.
        self.connected = True
        self.last_error = None
        if reply.status == 304:
            return
        snapshot = reply.json()
        self._fetch_missing_versions(snapshot)
        self._install(snapshot, Source.SERVER)
        self._first_from_server.set()
        self._save(snapshot)

    def _fetch_missing_versions(self, snapshot: Mapping) -> None:
        for data in snapshot.get("prompts") or []:
            p = RoutedPrompt.from_json(data)
            self._fetch(p.prompt, p.stable_version, p.stable_content_hash)
            if p.canary_version is not None:
                self._fetch(p.prompt, p.canary_version, p.canary_content_hash)

    def _fetch(self, prompt: str, version: int, content_hash: Optional[str]) -> None:
        if (prompt, version) in self._versions:
            return
        reply = self._http.get(f"/v1/routing/versions/{quote_segment(prompt)}/{version}")
        if reply.status != 200:
            raise IOError(f"GET version {version} of {prompt} answered {reply.status}: {reply.text()}")
        data = reply.json()
        fetched = PromptVersion.from_json(data)
        if content_hash is not None and content_hash != fetched.content_hash:
            raise VersionMismatch(
                f"version {version} of {prompt} has content {fetched.content_hash}, "
                f"the routing names {content_hash}"
            )
        self._versions[(prompt, version)] = fetched

    def _install(self, snapshot: Mapping, source: Source) -> None:
        """Swaps in ``snapshot``, keeping per prompt the newer of what is served and what arrived."""
        with self._install_lock:
            before = self.view.routes
            routes: Dict[str, LocalRoute] = {}
            for data in snapshot.get("prompts") or []:
                p = RoutedPrompt.from_json(data)
                served = before.get(p.prompt)
                if served is not None and served.routing.fence_seq > p.fence_seq:
                    routes[p.prompt] = served
                    continue
                stable = self._required(p.prompt, p.stable_version)
                canary = None if p.canary_version is None else self._required(p.prompt, p.canary_version)
                routes[p.prompt] = LocalRoute(p, stable, canary)
            self.view = View(snapshot.get("etag"), routes, source, datetime.now(timezone.utc))

    def _required(self, prompt: str, version: int) -> PromptVersion:
        found = self._versions.get((prompt, version))
        if found is None:
            raise KeyError(f"version {version} of {prompt} is not known")
        return found

    def _save(self, snapshot: Mapping) -> None:
        if self._file is None:
            return
        named = []
        for data in snapshot.get("prompts") or []:
            p = RoutedPrompt.from_json(data)
            named.append(self._versions[(p.prompt, p.stable_version)].raw)
            if p.canary_version is not None:
                named.append(self._versions[(p.prompt, p.canary_version)].raw)
        try:
            self._file.save(snapshot, named)
        except OSError as e:
            LOG.warning("could not write the routing snapshot to disk: %s", e)

    def close(self) -> None:
        self._stopped.set()
        self._http.abort()
        self._thread.join(2.0)
