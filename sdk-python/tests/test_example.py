"""The example app runs against the real server and the model simulator, and what it reports arrives."""

import subprocess
import sys
from pathlib import Path

from stack import eventually

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "chat_with_simulator.py"


def test_the_example_calls_the_simulator_and_reports_latency_tokens_and_transcripts(stack):
    stack.create_versions("example-support", 2)
    stack.route("example-support", 1, 2, 5000)
    run = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--url", stack.url,
            "--api-key", stack.keys["client"],
            "--model-url", stack.simulator_url,
            "--prompt", "example-support",
            "--sessions", "8",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[-1].startswith("sent 24 observations, dropped 0, rejected 0, model failures 0"), run.stdout
    assert any("Simulated answer to: Customer asks: Where is my order?" in line for line in lines), run.stdout

    status, metrics = stack.call("GET", "/v1/prompts/example-support/metrics", role="reader")
    assert status == 200, metrics
    versions = {v["version"]: v for v in metrics["versions"]}
    assert sum(v["observations"] for v in versions.values()) == 24
    for v in versions.values():
        assert v["meanInputTokens"] > 0 and v["meanOutputTokens"] > 0 and v["latencyP50Ms"] > 0
    # The transcripts went to dev's live judge (on the simulator): each one scored once.
    eventually(
        "24 transcripts judged",
        lambda: sum(stack.judgements_per_version("example-support").values()) == 24,
        60,
        0.25,
    )
