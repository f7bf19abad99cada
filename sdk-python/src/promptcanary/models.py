"""What the client hands back and what it reports: plain frozen dataclasses.

Field names follow Python style; ``to_json`` gives the server's camelCase bodies. Versions arrive as
the server's JSON (``GET /v1/routing/versions/{name}/{version}``) and are read tolerantly: a field a
newer server adds is ignored.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Mapping, Optional

# Java's \s is [ \t\n\x0B\f\r]; Python's would also match Unicode spaces, so it is spelled out.
_VARIABLE = re.compile(r"\{\{[ \t\n\x0b\f\r]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n\x0b\f\r]*}}")


def instant(moment: Optional[datetime] = None) -> str:
    """``moment`` (default now) as the ISO-8601 UTC text the server reads (Java's Instant form)."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("a time must carry its time zone (use datetime.now(timezone.utc))")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Arm(str, Enum):
    """Which side of a rollout a unit is on: what serves today, or the candidate taking a share."""

    STABLE = "STABLE"
    CANARY = "CANARY"


class Source(str, Enum):
    """Where the routing being served came from."""

    NONE = "NONE"
    DISK = "DISK"
    SERVER = "SERVER"


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True)
class PromptVersion:
    """One immutable version of a prompt, fetched once and kept for ever."""

    prompt: str
    version: int
    content_hash: str
    system_prompt: Optional[str]
    few_shot: tuple  # of (user, assistant) pairs
    template: str
    model: Optional[str]
    parameters: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> "PromptVersion":
        content = data.get("content") or {}
        return PromptVersion(
            prompt=data["prompt"],
            version=int(data["version"]),
            content_hash=data.get("contentHash"),
            system_prompt=content.get("systemPrompt"),
            few_shot=tuple(
                (e.get("user"), e.get("assistant")) for e in content.get("fewShot") or []
            ),
            template=content.get("template") or "",
            model=content.get("model"),
            parameters=dict(content.get("parameters") or {}),
            raw=dict(data),
        )


@dataclass(frozen=True)
class Rendered:
    """A version filled in for one request, as the server's renderer builds it."""

    model: Optional[str]
    messages: tuple
    parameters: Mapping[str, Any]

    def openai_messages(self) -> list:
        """The messages as the chat-completions API takes them."""
        return [{"role": m.role, "content": m.content} for m in self.messages]


@dataclass(frozen=True)
class Resolved:
    """The version to serve for one unit, decided locally exactly as the server's resolve decides it.

    ``pinned`` says the caller's pin was honoured; ``pin_dropped`` says it was not, because that
    version is no longer served, and ``note`` says why.
    """

    prompt: str
    version: int
    arm: Arm
    bucket: int
    canary_weight_bp: int
    rollout_id: Optional[str]
    pinned: bool
    pin_dropped: bool
    note: Optional[str]
    content: PromptVersion
    unit: str

    def fill(self, variables: Mapping[str, str]) -> str:
        """The template with its ``{{variables}}`` filled in; a missing variable is a ValueError naming it."""

        def value(match: "re.Match[str]") -> str:
            name = match.group(1)
            if name not in variables or variables[name] is None:
                raise ValueError(f"template variable '{name}' has no value")
            return str(variables[name])

        return _VARIABLE.sub(value, self.content.template)

    def render(self, variables: Optional[Mapping[str, str]] = None) -> Rendered:
        """The chat-completions call for this version: system prompt, few-shot turns, the filled template."""
        c = self.content
        messages = []
        if c.system_prompt:
            messages.append(ChatMessage("system", c.system_prompt))
        for user, assistant in c.few_shot:
            messages.append(ChatMessage("user", user))
            messages.append(ChatMessage("assistant", assistant))
        messages.append(ChatMessage("user", self.fill(variables or {})))
        return Rendered(c.model, tuple(messages), dict(c.parameters))


@dataclass(frozen=True)
class Observation:
    """The outcome of one served request (``POST /v1/observations``).

    ``request_id`` makes the report idempotent: the client retries with the same id and the server
    counts an id once per prompt.
    """

    prompt: str
    version: int
    unit: Optional[str]
    latency_ms: float
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    observed_at: str = field(default_factory=instant)
    input_tokens: Optional[int] = None
    output_tokens: Optional[int] = None
    cost: Optional[float] = None
    error: bool = False
    safety_flag: bool = False
    feedback: Optional[int] = None

    def to_json(self) -> dict:
        return _report_json(
            self,
            observedAt=self.observed_at,
            latencyMs=self.latency_ms,
            inputTokens=self.input_tokens,
            outputTokens=self.output_tokens,
            cost=self.cost,
            error=self.error,
            safetyFlag=self.safety_flag,
            feedback=self.feedback,
        )


@dataclass(frozen=True)
class Judgement:
    """A judge's score in [0, 1] of one response (``POST /v1/judgements``), once per (prompt, request, judge)."""

    prompt: str
    version: int
    request_id: str
    judge: str
    score: float
    unit: Optional[str] = None
    judged_at: str = field(default_factory=instant)
    served_at: Optional[str] = None

    def to_json(self) -> dict:
        return _report_json(
            self,
            judge=self.judge,
            score=self.score,
            judgedAt=self.judged_at,
            servedAt=self.served_at,
        )


@dataclass(frozen=True)
class Transcript:
    """One served request for live judging (``POST /v1/transcripts``): what went in, what came out."""

    prompt: str
    version: int
    request_id: str
    input: str
    output: str
    unit: Optional[str] = None

    def to_json(self) -> dict:
        return _report_json(self, input=self.input, output=self.output)


@dataclass(frozen=True)
class Health:
    """What the client knows and how fresh it is.

    ``connected`` is false while the push channel is down: resolves are then answered from the last
    known routing (``source`` says whether it came from the server or the snapshot on disk) and
    ``last_sync`` says since when. Reporting: items waiting (``queued``), ``sent`` (new to the
    server), ``duplicates`` (the server had them already, from a retry), ``dropped`` (the buffer was
    full, or the client closed) and ``rejected`` (refused by the server as invalid: 4xx).
    """

    connected: bool
    source: Source
    etag: Optional[str]
    prompts: int
    last_sync: Optional[datetime]
    last_error: Optional[str]
    queued: int
    sent: int
    duplicates: int
    dropped: int
    rejected: int

    @property
    def stale(self) -> bool:
        """Serving, but from routing that may be out of date."""
        return not self.connected


def _report_json(report, **fields) -> dict:
    """A report's JSON body: the keys every report carries (which request of which prompt version,
    for which unit), then its own ``fields``; absent (None) values are left out."""
    values = {
        "requestId": report.request_id,
        "prompt": report.prompt,
        "version": report.version,
        "unit": report.unit,
        **fields,
    }
    return {k: v for k, v in values.items() if v is not None}
