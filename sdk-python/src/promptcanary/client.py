"""The promptcanary client for an app on the serving path."""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Union

from . import buckets
from ._http import Http
from .models import Health, Judgement, Observation, Resolved, Source, Transcript, instant
from .reporter import Reporter
from .routing import Routing
from .snapshot_file import SnapshotFile

MAX_UNIT_LENGTH = 200


class PromptCanaryError(Exception):
    """No routing to answer from: the server never answered and there is no snapshot on disk, or
    the prompt has no version to serve."""


class PromptCanary:
    """Resolves locally from the routing snapshot the server pushes; reports in the background.

    ``resolve`` is a hash and a comparison with no network round trip, placing every unit exactly
    where the server's own resolve would. ``report``, ``judgement`` and ``transcript`` are buffered
    and sent in batches by a background thread. Thread-safe; make one per process and close it at
    shutdown (or use it as a context manager), which sends what is buffered.

    >>> with PromptCanary("http://localhost:8080", api_key) as client:   # doctest: +SKIP
    ...     r = client.resolve("support", session_id)
    ...     call = r.render({"question": question})
    ...     client.report(r, request_id=request_id, latency_ms=840, input_tokens=310, output_tokens=95)
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        snapshot_file=None,
        start_timeout: float = 5.0,
        poll_wait: int = 20,
        max_backoff: float = 5.0,
        buffer_size: int = 10_000,
        batch_size: int = 500,
        flush_interval: float = 0.2,
        close_timeout: float = 10.0,
    ):
        """Starts the client: serves the snapshot on disk at once if there is one, and waits up to
        ``start_timeout`` seconds for the server's. A server that does not answer is not an error:
        the client serves what it has and keeps reconnecting (``health()`` says so).

        ``api_key`` is a key with the ``client`` role (or above). ``poll_wait`` is how long one
        long-poll waits for a change (1..25 s); ``max_backoff`` the longest pause between
        reconnects and between report retries; ``buffer_size`` the items each kind of report may
        buffer before new ones are dropped; ``batch_size`` the items per request (the server takes
        up to its ``ingest.maxBatchSize``); ``flush_interval`` how often a partial batch is sent;
        ``close_timeout`` how long ``close()`` keeps sending what is buffered.
        """
        if not url or not api_key:
            raise ValueError("url and api_key are required")
        if not 1 <= int(poll_wait) <= 25:
            raise ValueError(f"poll_wait must be within 1..25 s, was {poll_wait}")
        if buffer_size < 1 or batch_size < 1:
            raise ValueError("buffer_size and batch_size must be positive")
        self._close_timeout = close_timeout
        self._closed = False
        self._routing = Routing(
            Http(url, api_key),
            None if snapshot_file is None else SnapshotFile(snapshot_file),
            int(poll_wait),
            max_backoff,
        )
        self._reporter = Reporter(Http(url, api_key), buffer_size, batch_size, flush_interval, max_backoff)
        self._routing.start()
        self._routing.await_server(start_timeout)

    # ---- resolve

    def resolve(self, prompt: str, unit: str, pin: Optional[int] = None) -> Resolved:
        """The version of ``prompt`` to serve for ``unit`` (a session or user id).

        ``pin`` (the version a multi-turn session started on) is honoured while that version is
        still served; when it is not, the answer says ``pin_dropped`` and why (``note``), as the
        server's resolve does.
        """
        if not isinstance(unit, str) or not unit.strip():
            raise ValueError("unit is required: the session or user id that keeps a caller on one version")
        if buckets.java_length(unit) > MAX_UNIT_LENGTH:
            raise ValueError(f"unit must be at most {MAX_UNIT_LENGTH} characters")
        if pin is not None and (isinstance(pin, bool) or not isinstance(pin, int) or pin < 1):
            raise ValueError(f"pin must be a positive integer, was {pin!r}")
        view = self._routing.view
        route = view.routes.get(prompt)
        if route is None:
            if view.source is Source.NONE:
                raise PromptCanaryError(
                    "no routing yet: the server has not answered and there is no snapshot on disk"
                )
            raise PromptCanaryError(f"no prompt named '{prompt}' has a version to serve")
        return route.resolve(unit, pin)

    # ---- reporting

    def report(
        self,
        resolved: Union[Resolved, Observation],
        *,
        latency_ms: float = 0.0,
        request_id: Optional[str] = None,
        input_tokens: Optional[int] = None,
        output_tokens: Optional[int] = None,
        cost: Optional[float] = None,
        error: bool = False,
        safety_flag: bool = False,
        feedback: Optional[int] = None,
        observed_at: Optional[datetime] = None,
    ) -> bool:
        """Buffers the outcome of one served request; False when the buffer was full (counted in
        ``health().dropped``). Pass the ``Resolved`` it was served under and the facts, or a
        ready ``Observation``. Without a ``request_id`` a random one is made: pass your own to
        make your own retries idempotent too."""
        if isinstance(resolved, Observation):
            observation = resolved
        else:
            extra = {} if request_id is None else {"request_id": request_id}
            observation = Observation(
                prompt=resolved.prompt,
                version=resolved.version,
                unit=resolved.unit,
                latency_ms=float(latency_ms),
                observed_at=instant(observed_at),
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cost=cost,
                error=bool(error),
                safety_flag=bool(safety_flag),
                feedback=feedback,
                **extra,
            )
        return self._reporter.offer("observations", observation.to_json())

    def judgement(
        self,
        resolved: Union[Resolved, Judgement],
        request_id: Optional[str] = None,
        judge: Optional[str] = None,
        score: Optional[float] = None,
        *,
        judged_at: Optional[datetime] = None,
    ) -> bool:
        """Buffers a judge's score in [0, 1] of one response, counted once per (prompt, request, judge)."""
        if isinstance(resolved, Judgement):
            item = resolved
        else:
            if request_id is None or judge is None or score is None:
                raise ValueError("judgement needs request_id, judge and score")
            item = Judgement(
                prompt=resolved.prompt,
                version=resolved.version,
                request_id=request_id,
                judge=judge,
                score=float(score),
                unit=resolved.unit,
                judged_at=instant(judged_at),
            )
        return self._reporter.offer("judgements", item.to_json())

    def transcript(
        self,
        resolved: Union[Resolved, Transcript],
        request_id: Optional[str] = None,
        input: Optional[str] = None,
        output: Optional[str] = None,
    ) -> bool:
        """Buffers what went in and came out of one served request, for the server's live judge."""
        if isinstance(resolved, Transcript):
            item = resolved
        else:
            if request_id is None or input is None or output is None:
                raise ValueError("transcript needs request_id, input and output")
            item = Transcript(
                prompt=resolved.prompt,
                version=resolved.version,
                request_id=request_id,
                input=input,
                output=output,
                unit=resolved.unit,
            )
        return self._reporter.offer("transcripts", item.to_json())

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until everything reported so far is answered by the server; False after ``timeout``."""
        return self._reporter.flush(timeout)

    # ---- state

    def health(self) -> Health:
        view = self._routing.view
        r = self._reporter
        return Health(
            connected=self._routing.connected,
            source=view.source,
            etag=view.etag,
            prompts=len(view.routes),
            last_sync=view.at,
            last_error=self._routing.last_error or r.last_error,
            queued=r.queued(),
            sent=r.sent,
            duplicates=r.duplicates,
            dropped=r.dropped,
            rejected=r.rejected,
        )

    def close(self) -> None:
        """Sends what is buffered (up to ``close_timeout``) and stops; calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        self._reporter.close(self._close_timeout)
        self._routing.close()

    def __enter__(self) -> "PromptCanary":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
