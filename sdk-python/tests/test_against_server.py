"""The SDK against the real server: the packaged jar's ``dev`` plus a second API node (``stack.py``)."""

import json
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from promptcanary import PromptCanary, Source
from promptcanary._http import Http
from stack import eventually

PROMPTS = ["support", "rolled", "manual", "restart", "reporting", "lanes", "closing"]


@pytest.fixture(scope="module", autouse=True)
def prompts(stack):
    for prompt in PROMPTS:
        stack.create_versions(prompt, 3)


def client(stack, url=None, **options):
    settings = {"max_backoff": 0.5, "start_timeout": 30.0, **options}
    return PromptCanary(url or stack.url, stack.keys["client"], **settings)


def unit_of(i: int) -> str:
    return f"session-{i}" + ("-ünï-🐤" if i % 7 == 0 else "")


def test_local_decisions_equal_the_servers_for_100000_units(stack):
    stack.route("support", 1, 2, 3000)
    units = 100_000
    threads = 4
    with client(stack) as sdk:
        eventually("the SDK serving the 30% canary", lambda: sdk.resolve("support", "probe").canary_weight_bp == 3000)

        def compare(first: int):
            http = Http(stack.url, stack.keys["client"])
            differences = []
            for i in range(first, units, threads):
                unit = unit_of(i)
                # Every tenth request carries a pin: a served version (1, 2) or one that is not (3).
                pin = 1 + (i // 10) % 3 if i % 10 == 0 else None
                query = "unit=" + urllib.parse.quote(unit, safe="") + ("" if pin is None else f"&pin={pin}")
                reply = http.get("/v1/prompts/support/resolve?" + query)
                server = reply.json()
                mine = sdk.resolve("support", unit, pin)
                same = (
                    reply.status == 200
                    and server["version"] == mine.version
                    and server["arm"] == mine.arm.value
                    and server["bucket"] == mine.bucket
                    and server["canaryWeightBp"] == mine.canary_weight_bp
                    and server.get("rolloutId") == mine.rollout_id
                    and server["pinned"] == mine.pinned
                    and server["pinDropped"] == mine.pin_dropped
                    and server.get("note") == mine.note
                    and server["content"]["contentHash"] == mine.content.content_hash
                )
                if not same:
                    differences.append(f"{unit!r} pin {pin}: server {server}, sdk {mine}")
            http.reset()
            return differences

        started = time.monotonic()
        with ThreadPoolExecutor(threads) as pool:
            differences = [d for part in pool.map(compare, range(threads)) for d in part]
        took = time.monotonic() - started
        print(f"\n100,000 units compared with the server's resolve in {took:.1f} s: {len(differences)} different")
        assert differences[:5] == []
        on_canary = sum(1 for i in range(units) if sdk.resolve("support", unit_of(i)).arm.value == "CANARY")
        assert 28_000 < on_canary < 32_000


def test_a_rollout_aborted_on_the_server_reaches_an_sdk_connected_to_another_node(node):
    stack = node
    with client(stack, url=stack.node_url) as sdk:
        status, started = stack.call(
            "POST",
            "/v1/rollouts",
            {"prompt": "rolled", "candidateVersion": 2, "stages": [{"weightBp": 5000, "maxBakeSeconds": 3600}]},
            role="deployer",
        )
        assert status == 201, started
        rollout = started["id"]
        units = [f"user-{i}" for i in range(400)]
        eventually("the rollout's routing at the SDK", lambda: sdk.resolve("rolled", "x").rollout_id == rollout, 60)
        on_canary = sum(1 for u in units if sdk.resolve("rolled", u).version == 2)
        assert 120 <= on_canary <= 280

        sent = time.monotonic()
        status, aborted = stack.call("POST", f"/v1/rollouts/{rollout}/abort", {"reason": "python sdk rollback test"}, role="deployer")
        answered = time.monotonic()
        assert status < 300, aborted
        eventually("every unit back on the stable version", lambda: all(sdk.resolve("rolled", u).version == 1 for u in units))
        arrived = time.monotonic()
        print(
            f"\nrollback by abort: at the SDK (another node) {1000 * (arrived - sent):.0f} ms after the abort was sent "
            f"({1000 * (arrived - answered):.0f} ms after it was answered)"
        )
        assert sdk.health().connected


def test_a_routing_rollback_written_on_one_node_reaches_an_sdk_on_another(node):
    """The delivery time of a rollback (canary weight to 0) from its write to the SDK, measured, not asserted."""
    stack = node
    stack.route("manual", 1, 2, 5000)
    with client(stack, url=stack.node_url) as sdk:
        eventually("the 50% canary at the SDK", lambda: sdk.resolve("manual", "u").canary_weight_bp == 5000)
        delays = []
        for round_ in range(10):
            weight = 5000 + round_ + 1
            stack.route("manual", 1, 2, weight)
            eventually("the canary back at the SDK", lambda: sdk.resolve("manual", "u").canary_weight_bp == weight)
            written = time.monotonic()
            stack.route("manual", 1, 2, 0)  # the rollback
            eventually("the rollback at the SDK", lambda: sdk.resolve("manual", "u").canary_weight_bp == 0)
            delays.append(time.monotonic() - written)
        ms = sorted(1000 * d for d in delays)
        print(
            f"\nrollback (routing write on dev's node -> SDK on the other node), 10 rounds: "
            f"median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms"
        )
        print(json.dumps({"metric": "python_sdk_rollback_ms", "median": round(statistics.median(ms)), "max": round(ms[-1])}))
        assert sdk.resolve("manual", "anyone").version == 1


def test_a_server_restart_mid_stream_is_survived_and_a_start_while_it_is_down_serves_the_snapshot_on_disk(node, tmp_path):
    stack = node
    stack.route("restart", 1, 2, 10_000)
    file = tmp_path / "routing.json"
    with client(stack, url=stack.node_url, snapshot_file=file) as sdk:
        eventually("version 2 at the SDK", lambda: sdk.resolve("restart", "u").version == 2)
        eventually("the snapshot on disk", file.exists)

        stack.node.kill()  # SIGKILL with the SDK's long-poll open
        eventually("the SDK saying it is disconnected", lambda: not sdk.health().connected)
        health = sdk.health()
        assert health.stale and health.last_error
        assert sdk.resolve("restart", "u").version == 2  # the last known routing keeps serving

        # A client started while the server is down serves the snapshot on disk, and says so.
        with client(stack, url=stack.node_url, snapshot_file=file, start_timeout=0.3) as from_disk:
            assert from_disk.health().source is Source.DISK
            assert not from_disk.health().connected
            assert from_disk.resolve("restart", "u").version == 2

        # A change made meanwhile (on the other node) is what the SDK gets once the node is back.
        stack.route("restart", 3, None, 0)
        stack.start_node()
        eventually("the SDK reconnected with the change it missed", lambda: sdk.resolve("restart", "u").version == 3, 60)
        assert sdk.health().connected and sdk.health().source is Source.SERVER
        stack.route("restart", 3, 1, 10_000)
        eventually("the next change over the new stream", lambda: sdk.resolve("restart", "u").version == 1)

        # Back with nothing changed: connected again at once (the first poll after a failure does not
        # wait), well before a long poll (20 s) would have ended.
        stack.node.kill()
        eventually("the SDK saying it is disconnected", lambda: not sdk.health().connected)
        stack.start_node()
        eventually("the SDK connected again to the unchanged routing", lambda: sdk.health().connected, 10)
        assert sdk.resolve("restart", "u").version == 1


def observation_args(i: int):
    """Sessions of four correlated requests: a session's latency and tokens drift together."""
    session = i // 4
    return f"session-{session}", {
        "request_id": f"req-{i}",
        "latency_ms": 100 + session % 50 + 5 * (i % 4),
        "input_tokens": 300 + session % 20,
        "output_tokens": 90 + (i % 4),
    }


def test_reporting_while_the_server_is_down_for_10_s_loses_nothing_and_counts_nothing_twice(node):
    stack = node
    stack.route("reporting", 1, 2, 5000)
    before, during = 1_500, 2_500
    expected = {}

    def report(sdk, i):
        unit, fields = observation_args(i)
        r = sdk.resolve("reporting", unit)
        if fields["request_id"] not in seen:
            seen.add(fields["request_id"])
            expected[r.version] = expected.get(r.version, 0) + 1
        assert sdk.report(r, **fields)

    seen = set()
    with client(stack, url=stack.node_url, batch_size=200) as sdk:
        eventually("the canary at the SDK", lambda: sdk.resolve("reporting", "u").canary_weight_bp == 5000)
        for i in range(before):
            report(sdk, i)
        assert sdk.flush(60)

        stack.node.kill()
        down = time.monotonic()
        for i in range(before, before + during):
            report(sdk, i)
            if i % 250 == 0:
                time.sleep(1)  # ten seconds of traffic while the server is down
        # The same request ids again, as an app retrying its own reports would send them.
        for i in range(100):
            report(sdk, i)
        assert sdk.health().queued > 0
        print(f"\nreported {during + 100} observations over {time.monotonic() - down:.1f} s with the server down")
        stack.start_node()
        assert sdk.flush(120)
        health = sdk.health()
        assert (health.dropped, health.rejected) == (0, 0)
        assert health.sent == before + during
        assert health.duplicates == 100
    assert stack.observations_per_version("reporting") == expected
    assert sum(expected.values()) == before + during and len(expected) == 2


def test_a_kind_that_keeps_failing_does_not_hold_up_the_others_and_close_counts_what_it_could_not_send(node):
    stack = node
    # The second node runs with live judging off: its transcripts endpoint answers 503, retried.
    with client(stack, url=stack.node_url, close_timeout=1.0) as sdk:
        for i in range(50):
            r = sdk.resolve("lanes", f"s-{i // 5}")
            sdk.transcript(r, f"lane-{i}", "Where is my order?", "It ships today.")
            sdk.report(r, request_id=f"lane-{i}", latency_ms=120)
            sdk.judgement(r, f"lane-{i}", "my-judge", 0.75)
        eventually("observations and judgements sent past the failing transcripts", lambda: sdk.health().sent == 100)
        eventually("the transcripts' 503 in the health", lambda: "503" in (sdk.health().last_error or ""))
        assert sdk.health().queued == 50  # the transcripts, kept and retried
    health = sdk.health()
    assert health.dropped == 50  # the transcripts, counted when close gave up on them
    assert stack.observations_per_version("lanes") == {1: 50}
    assert stack.judgements_per_version("lanes") == {1: 50}


def test_items_the_server_refuses_are_dropped_by_index_and_the_rest_are_sent(stack):
    with client(stack) as sdk:
        r = sdk.resolve("closing", "u-1")
        for i in range(10):
            sdk.report(r, request_id=f"refusals-{i}", latency_ms=-5 if i in (3, 7) else 50)
        assert sdk.flush(30)
        health = sdk.health()
        assert (health.sent, health.rejected) == (8, 2)


def test_the_context_manager_sends_what_is_buffered_on_exit(stack):
    # A flush interval far beyond the test: only the close on leaving the block sends them.
    with client(stack, flush_interval=600, batch_size=1000) as sdk:
        for i in range(30):
            sdk.report(sdk.resolve("closing", f"ctx-{i // 3}"), request_id=f"ctx-{i}", latency_ms=80)
        assert sdk.health().queued == 30
    assert (sdk.health().sent, sdk.health().dropped) == (30, 0)
    assert stack.observations_per_version("closing").get(1, 0) >= 30


def test_a_full_buffer_drops_and_counts_and_never_blocks():
    # Nothing listens on this port: every send fails and is retried while the buffer fills.
    from stack import free_port

    with PromptCanary(f"http://127.0.0.1:{free_port()}", "no-server", start_timeout=0.1, buffer_size=5, close_timeout=0.2) as sdk:
        from promptcanary import Observation

        accepted = [sdk.report(Observation("p", 1, "u", 10.0)) for _ in range(20)]
        # Five in the buffer, and at most a batch of five taken from it by the sending thread.
        assert 5 <= accepted.count(True) <= 10
        assert sdk.health().dropped == accepted.count(False)
        assert not sdk.health().connected and sdk.health().source is Source.NONE
        with pytest.raises(Exception, match="no routing yet"):
            sdk.resolve("p", "u")
    assert sdk.health().dropped == 20  # what was buffered is dropped by close, and counted


def test_bad_arguments_are_refused_with_the_reason(stack):
    with client(stack) as sdk:
        with pytest.raises(ValueError, match="unit is required"):
            sdk.resolve("support", " ")
        with pytest.raises(ValueError, match="at most 200"):
            sdk.resolve("support", "🐤" * 101)  # 202 UTF-16 units, as the server counts
        with pytest.raises(ValueError, match="pin must be a positive integer"):
            sdk.resolve("support", "u", 0)
        with pytest.raises(Exception, match="no prompt named 'nope'"):
            sdk.resolve("nope", "u")


def test_close_ends_a_long_poll_at_once(stack):
    sdk = client(stack, poll_wait=25)
    threading.Event().wait(0.5)  # the poll is now waiting on the server
    started = time.monotonic()
    sdk.close()
    took = time.monotonic() - started
    print(f"\nclose with a long-poll open took {1000 * took:.0f} ms")
    assert not sdk._routing._thread.is_alive()
