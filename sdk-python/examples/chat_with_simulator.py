#!/usr/bin/env python3
"""An app's LLM call wrapped with promptcanary: resolve, render, call, report.

Each simulated session resolves the version of a prompt to serve (locally, from the pushed routing),
renders it, calls an OpenAI-compatible chat-completions endpoint (here the project's model
simulator, which ``./promptcanary dev`` starts and names in its log), and reports the latency, the
tokens and a transcript (which the server's live judge scores). Standard library only; with the
``openai`` package the call is ``client.chat.completions.create(model=call.model,
messages=call.openai_messages(), **call.parameters)``.

    python3 examples/chat_with_simulator.py --url http://localhost:8080 --api-key $CLIENT \\
        --model-url http://127.0.0.1:PORT/v1 --prompt support --sessions 5

The prompt must exist on the server (``POST /v1/prompts/{name}/versions``) with a template using
``{{question}}``. Prints one line per request and a summary; exits 1 when something was not sent.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

try:
    from promptcanary import PromptCanary
except ImportError:  # run from a checkout without installing: the package is beside this directory
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from promptcanary import PromptCanary

QUESTIONS = ["Where is my order?", "Can I change the address?", "And when will it arrive?"]


def chat(model_url, api_key, call, timeout=60):
    """One chat-completions call; returns (answer text, input tokens, output tokens)."""
    body = {"model": call.model, "messages": call.openai_messages(), **call.parameters, "stream": False}
    request = urllib.request.Request(
        model_url.rstrip("/") + "/chat/completions",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + api_key} if api_key else {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        answer = json.load(reply)
    usage = answer.get("usage") or {}
    return (
        answer["choices"][0]["message"]["content"],
        usage.get("prompt_tokens"),
        usage.get("completion_tokens"),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("PROMPTCANARY_URL", "http://localhost:8080"))
    parser.add_argument("--api-key", default=os.environ.get("PROMPTCANARY_API_KEY"), help="a client key")
    parser.add_argument("--model-url", required=True, help="OpenAI-compatible API root, e.g. the simulator's")
    parser.add_argument("--model-api-key", default=os.environ.get("OPENAI_API_KEY", ""))
    parser.add_argument("--prompt", default="support")
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--session-prefix", default="example-" + uuid.uuid4().hex[:8])
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("--api-key (or PROMPTCANARY_API_KEY) is required")

    failures = 0
    with PromptCanary(args.url, args.api_key) as client:
        for s in range(args.sessions):
            session = f"{args.session_prefix}-{s}"
            pinned = None
            # A multi-turn session: the first turn's version is pinned for the rest of the session.
            for turn, question in enumerate(QUESTIONS):
                resolved = client.resolve(args.prompt, session, pin=pinned)
                pinned = resolved.version
                call = resolved.render({"question": question})
                request_id = f"{session}-turn-{turn}"
                started = time.monotonic()
                try:
                    answer, input_tokens, output_tokens = chat(args.model_url, args.model_api_key, call)
                    error = False
                except (urllib.error.URLError, OSError, KeyError, ValueError) as e:
                    answer, input_tokens, output_tokens, error = f"(failed: {e})", None, None, True
                    failures += 1
                latency_ms = 1000 * (time.monotonic() - started)
                client.report(
                    resolved,
                    request_id=request_id,
                    latency_ms=latency_ms,
                    input_tokens=input_tokens,
                    output_tokens=output_tokens,
                    error=error,
                )
                if not error:
                    client.transcript(resolved, request_id, call.messages[-1].content, answer)
                print(
                    f"{request_id}: v{resolved.version} ({resolved.arm.value.lower()}) "
                    f"{latency_ms:.0f} ms, tokens {input_tokens}/{output_tokens}: {answer[:60]}"
                )
        client.flush(30)
        health = client.health()
    print(
        f"sent {health.sent} observations, dropped {health.dropped}, rejected {health.rejected}, "
        f"model failures {failures}"
    )
    return 0 if health.dropped == 0 and health.rejected == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
