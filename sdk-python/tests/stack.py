"""The real server for the SDK's tests: the packaged jar run as a user runs it.

``dev`` (embedded PostgreSQL, Temporal's Java test server, the worker, the API and the model
simulator) in one process, plus a second API node (``server deployment/config/server.yml``) against
dev's PostgreSQL and Temporal: the node the restart tests stop and start under a connected SDK, as
the devstack ITs' ``ProcessStack`` does. Both run a copy of the jar in the test's directory, so a
rebuild of ``devstack/target`` cannot pull it from under them.

Where things are: ``PROMPTCANARY_JAR`` (default ``devstack/target/promptcanary.jar``),
``PROMPTCANARY_JAVA`` (default ``$JAVA_HOME/bin/java``, else ``java``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Optional, TypeVar

REPO = Path(__file__).resolve().parents[2]
SERVER_CONFIG = REPO / "deployment" / "config" / "server.yml"
JVM_OPTIONS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m"]
# A first dev start runs initdb and the migrations with fsync on: over 90 s on a loaded 2-core machine.
UP_SECONDS = 240

T = TypeVar("T")


def eventually(what: str, check: Callable[[], T], timeout: float = 30.0, interval: float = 0.01) -> T:
    """Waits until ``check()`` returns something truthy (exceptions count as not yet), and returns it.

    The tests' one way to wait, as Awaitility is the Java tests': fails naming ``what`` and the last
    error or value after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
            last = value
        except Exception as e:  # noqa: BLE001 - not yet
            last = e
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java() -> str:
    if os.environ.get("PROMPTCANARY_JAVA"):
        return os.environ["PROMPTCANARY_JAVA"]
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


class Child:
    """One process of the jar, its output in a log file."""

    def __init__(self, name: str, args: list, env: dict, work: Path, jar: Path):
        self.name = name
        self.log = work / f"{name}.log"
        self._args = args
        self._env = env
        self._work = work
        self._jar = jar
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "Child":
        out = open(self.log, "ab")
        self.process = subprocess.Popen(
            [java(), *JVM_OPTIONS, "-jar", str(self._jar), *self._args],
            cwd=self._work,
            env={**os.environ, **self._env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()
        return self

    def wait_for_ping(self, port: int) -> None:
        def up():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/ping", timeout=5) as r:
                return r.status == 200

        deadline = time.monotonic() + UP_SECONDS
        while True:
            try:
                if up():
                    return
            except RuntimeError:
                raise
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer on :{port} in {UP_SECONDS} s:\n{self.tail()}")
            time.sleep(0.25)

    def kill(self) -> None:
        """SIGKILL: the node dies with its long-polls and requests in flight."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM, so the process runs its shutdown hooks (dev stops its PostgreSQL); SIGKILL after ``grace``."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 60) -> str:
        try:
            kept = [l for l in self.log.read_text(errors="replace").splitlines() if l.strip() and not l.startswith(("127.0.0.1 - - ", "    ", "0"))]
            return "\n".join(kept[-lines:])
        except OSError as e:
            return f"(log unreadable: {e})"


class Stack:
    def __init__(self, work: Path):
        self.work = work
        source = Path(os.environ.get("PROMPTCANARY_JAR", REPO / "devstack" / "target" / "promptcanary.jar"))
        if not source.is_file():
            raise RuntimeError(
                f"no packaged jar at {source}: build it with `mvn -B -DskipTests -pl devstack -am package`"
            )
        self.jar = Path(shutil.copy(source, work / "promptcanary.jar"))
        self.port = free_port()
        self.admin_port = free_port()
        self.temporal_port = free_port()
        self.db_port = free_port()
        self.simulator_port = free_port()
        self.node_port = free_port()
        self.node_admin_port = free_port()
        self.data_dir = work / "pg"
        self.dev = Child(
            "dev",
            [
                "dev",
                "--port", str(self.port),
                "--admin-port", str(self.admin_port),
                "--temporal-port", str(self.temporal_port),
                "--db-port", str(self.db_port),
                "--simulator-port", str(self.simulator_port),
                "--data-dir", str(self.data_dir),
                "--temporal-server", "java",
                # 100,000 resolves in one test: a log line each would cost the server CPU the
                # comparison needs (sdk-java's server writes none either)
                "--no-request-log",
            ],
            {},
            work,
            self.jar,
        )
        self.node: Optional[Child] = None
        self.node_starts = 0
        self.keys: dict = {}

    # ---- processes

    def start(self) -> "Stack":
        self.dev.start().wait_for_ping(self.port)
        with open(self.data_dir / "promptcanary-api-keys.json") as f:
            self.keys = json.load(f)
        self.start_node()
        return self

    def start_node(self) -> None:
        """Starts (or starts again, on the same ports) the second API node and waits until it serves."""
        self.node_starts += 1
        self.node = Child(
            f"node-{self.node_starts}",
            ["server", str(SERVER_CONFIG)],
            {
                "PROMPTCANARY_DB_URL": f"jdbc:postgresql://localhost:{self.db_port}/promptcanary",
                "PROMPTCANARY_DB_USER": "postgres",
                "PROMPTCANARY_MIGRATE_ON_START": "false",
                "PROMPTCANARY_TEMPORAL_TARGET": f"127.0.0.1:{self.temporal_port}",
                "PROMPTCANARY_PORT": str(self.node_port),
                "PROMPTCANARY_ADMIN_PORT": str(self.node_admin_port),
            },
            self.work,
            self.jar,
        ).start()
        self.node.wait_for_ping(self.node_port)

    def close(self) -> None:
        # The node first, dev last: its shutdown hook stops the embedded PostgreSQL.
        if self.node:
            self.node.stop()
        self.dev.stop()

    def logs(self) -> str:
        children = [self.dev] + ([self.node] if self.node else [])
        return "\n".join(f"----- {c.name} -----\n{c.tail(40)}" for c in children)

    # ---- URLs and calls

    @property
    def url(self) -> str:
        """dev's API (with the worker and live judging on the simulator)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def node_url(self) -> str:
        """The second API node, the one restarted under the SDK."""
        return f"http://127.0.0.1:{self.node_port}"

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.simulator_port}/v1"

    def call(self, method: str, path: str, body=None, role: str = "admin", base: Optional[str] = None):
        """One request as ``role``; returns (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            (base or self.url) + path,
            data=data,
            method=method,
            headers={"Authorization": "Bearer " + self.keys[role], "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def create_versions(self, prompt: str, count: int = 3) -> None:
        for n in range(1, count + 1):
            status, answer = self.call(
                "POST",
                f"/v1/prompts/{prompt}/versions",
                {
                    "systemPrompt": f"You are support agent number {n}.",
                    "fewShot": [{"user": "hi", "assistant": "hello"}],
                    "template": "Customer asks: {{question}}",
                    "model": "sim-model",
                    "parameters": {"temperature": 0.2},
                    "author": "ana",
                },
            )
            assert status in (200, 201), answer

    def route(self, prompt: str, stable: int, canary: Optional[int], weight_bp: int) -> None:
        """A manual routing write (``PUT /v1/prompts/{name}/routing``) through dev's node.

        Controls are rate-limited (10 per second per key): a 429 is waited out, as a client should.
        """
        body = {"stableVersion": stable, "canaryVersion": canary, "canaryWeightBp": weight_bp, "reason": "python sdk test"}
        for _ in range(10):
            status, answer = self.call("PUT", f"/v1/prompts/{prompt}/routing", body)
            if status != 429:
                break
            time.sleep(1)
        assert status == 200, answer

    def observations_per_version(self, prompt: str) -> dict:
        status, answer = self.call("GET", f"/v1/prompts/{urllib.parse.quote(prompt)}/metrics", role="reader")
        assert status == 200, answer
        return {v["version"]: v["observations"] for v in answer["versions"]}

    def judgements_per_version(self, prompt: str) -> dict:
        status, answer = self.call("GET", f"/v1/prompts/{urllib.parse.quote(prompt)}/metrics", role="reader")
        assert status == 200, answer
        return {v["version"]: v["judgements"] for v in answer["versions"]}
