"""promptcanary's Python SDK: local resolve from the pushed routing snapshot, buffered reporting.

Standard library only. ``PromptCanary(url, api_key)`` is the one entry point; see its docstring and
``sdk-python/README.md``.
"""

from .client import PromptCanary, PromptCanaryError
from .models import (
    Arm,
    ChatMessage,
    Health,
    Judgement,
    Observation,
    PromptVersion,
    Rendered,
    Resolved,
    Source,
    Transcript,
)

__all__ = [
    "Arm",
    "ChatMessage",
    "Health",
    "Judgement",
    "Observation",
    "PromptCanary",
    "PromptCanaryError",
    "PromptVersion",
    "Rendered",
    "Resolved",
    "Source",
    "Transcript",
]

__version__ = "0.1.0"
