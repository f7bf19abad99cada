"""Buffered, batched, background reporting, as the Java SDK's ``Reporter``.

Each kind (observations, judgements, transcripts) has a bounded buffer the caller never waits on (a
full one drops the item and counts it) and one batch in flight, sent by one background thread and
retried with jittered backoff until the server answers. A retry resends the same items with the same
request ids, so a batch whose answer was lost counts nothing twice. A 422 naming items
(``observations[3].latencyMs``) drops those (counted as rejected) and sends the rest; any other 4xx
rejects the batch; connection errors, 408, 429 (after its ``Retry-After``) and 5xx are retried. A
kind that keeps failing does not hold up the others.
"""

from __future__ import annotations

import collections
import random
import re
import threading
import time
from typing import List, Optional

from ._http import Http, Reply

_ITEM = re.compile(r"^[a-z]+\[(\d+)]")


class _Lane:
    def __init__(self, path: str, field: str, capacity: int):
        self.path = path
        self.field = field
        self.capacity = capacity
        self.queue: collections.deque = collections.deque()
        self.in_flight: List[dict] = []
        self.next_attempt = 0.0
        self.failures = 0

    def idle(self) -> bool:
        return not self.in_flight and not self.queue


class Reporter:
    def __init__(
        self,
        http: Http,
        buffer_size: int,
        batch_size: int,
        flush_interval: float,
        max_backoff: float,
    ):
        self._http = http
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._max_backoff = max_backoff
        self._lanes = {
            "observations": _Lane("/v1/observations", "observations", buffer_size),
            "judgements": _Lane("/v1/judgements", "judgements", buffer_size),
            "transcripts": _Lane("/v1/transcripts", "transcripts", buffer_size),
        }
        # One lock for the buffers and counters; the HTTP call is made outside it, so a caller's
        # report never waits behind the network.
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._drained = threading.Condition(self._lock)
        self.sent = 0
        self.duplicates = 0
        self.dropped = 0
        self.rejected = 0
        self.last_error: Optional[str] = None
        self._accepting = True
        self._running = True
        self._thread = threading.Thread(target=self._run, name="promptcanary-reporter", daemon=True)
        self._thread.start()

    def offer(self, kind: str, item: dict) -> bool:
        """Buffers ``item`` (its JSON); False when the buffer is full or the client is closed."""
        lane = self._lanes[kind]
        with self._lock:
            if not self._accepting or len(lane.queue) >= lane.capacity:
                self.dropped += 1
                return False
            lane.queue.append(item)
            if len(lane.queue) >= self._batch_size:
                self._work.notify()
            return True

    def queued(self) -> int:
        with self._lock:
            return sum(len(l.queue) + len(l.in_flight) for l in self._lanes.values())

    def _all_idle(self) -> bool:
        return all(l.idle() for l in self._lanes.values())

    def flush(self, timeout: float) -> bool:
        """Waits until everything reported so far is answered by the server; False after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._work.notify()
            while not self._all_idle():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._drained.wait(min(left, self._flush_interval))
            return True

    def _run(self) -> None:
        while self._running:
            sent_something = False
            for lane in self._lanes.values():
                sent_something |= self._send_one(lane)
            with self._lock:
                if self._all_idle():
                    self._drained.notify_all()
                if not sent_something and self._running:
                    self._work.wait(self._flush_interval)

    def _send_one(self, lane: _Lane) -> bool:
        """Sends the lane's batch when it has one and its backoff has passed; True when it was answered."""
        with self._lock:
            if not lane.in_flight:
                while lane.queue and len(lane.in_flight) < self._batch_size:
                    lane.in_flight.append(lane.queue.popleft())
            if not lane.in_flight or time.monotonic() < lane.next_attempt:
                return False
            batch = list(lane.in_flight)
        kind, refused, retry_after = self._post(lane, batch)
        with self._lock:
            if kind == "done":
                lane.in_flight.clear()
                lane.failures = 0
            elif kind == "some_refused":
                # The server named the refused items by index; the rest go again at once.
                keep = [item for i, item in enumerate(batch) if i not in refused]
                self.rejected += len(batch) - len(keep)
                lane.in_flight[:] = keep
            else:
                lane.failures += 1
                lane.next_attempt = time.monotonic() + max(retry_after, self._backoff(lane.failures))
            return kind != "retry"

    def _backoff(self, failures: int) -> float:
        full = min(self._max_backoff, 0.1 * (2 ** min(failures - 1, 20)))
        return full / 2 + random.random() * full / 2

    def _post(self, lane: _Lane, batch: List[dict]):
        try:
            reply = self._http.post_json(lane.path, {lane.field: batch}, timeout=30.0)
        except Exception as e:  # noqa: BLE001 - no answer: the same batch goes again
            self.last_error = f"{lane.path}: {type(e).__name__}: {e}"
            return "retry", set(), 0.0
        if reply.status // 100 == 2:
            self._count_answer(reply, len(batch))
            return "done", set(), 0.0
        self.last_error = f"{lane.path} answered {reply.status}: {reply.text()}"
        if reply.status in (408, 429) or reply.status >= 500:
            return "retry", set(), _seconds(reply.headers.get("retry-after"))
        # Any other 4xx will not change on a retry: drop what the server names, or the whole batch.
        refused = _refused_items(reply, len(batch))
        if not refused or len(refused) == len(batch):
            with self._lock:
                self.rejected += len(batch)
            return "done", set(), 0.0
        return "some_refused", refused, 0.0

    def _count_answer(self, reply: Reply, size: int) -> None:
        try:
            answer = reply.json()
            accepted = int(answer.get("accepted", 0))
            duplicates = int(answer.get("duplicates", 0))
        except (ValueError, AttributeError, TypeError):
            accepted, duplicates = size, 0
        with self._lock:
            self.sent += accepted
            self.duplicates += duplicates

    def close(self, timeout: float) -> None:
        """Stops taking reports, sends what is buffered for up to ``timeout``, then stops."""
        with self._lock:
            self._accepting = False
        self.flush(timeout)
        with self._lock:
            self._running = False
            self._work.notify_all()
        self._http.abort()
        self._thread.join(2.0)
        # What could not be sent in time is lost: counted, never silent.
        with self._lock:
            for lane in self._lanes.values():
                self.dropped += len(lane.queue) + len(lane.in_flight)
                lane.queue.clear()
                lane.in_flight.clear()


def _seconds(value: Optional[str]) -> float:
    if value is None:
        return 0.0
    try:
        return float(int(value.strip()))
    except ValueError:
        return 1.0


def _refused_items(reply: Reply, size: int) -> set:
    """The item indexes a 4xx names in its ``field``s (``observations[3].latencyMs``)."""
    refused = set()
    try:
        error = reply.json()
        problems = [error] + list(error.get("errors") or [])
        for problem in problems:
            match = _ITEM.match(str(problem.get("field") or ""))
            if match and int(match.group(1)) < size:
                refused.add(int(match.group(1)))
    except (ValueError, AttributeError, TypeError):
        pass  # no indexes: the whole batch is refused
    return refused
