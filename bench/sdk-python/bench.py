"""bench/sdk-python: see ./run. Reuses the SDK tests' stack (sdk-python/tests/stack.py)."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "sdk-python" / "src"), str(ROOT / "sdk-python" / "tests")]

from promptcanary import PromptCanary  # noqa: E402
from promptcanary._http import Http  # noqa: E402
from stack import Stack, eventually  # noqa: E402


def resolves_per_second(call, seconds):
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(100):
            call(n)
            n += 1
    return n / seconds


def watch(until, poll_s):
    """Seconds until ``until()`` holds, checked every ``poll_s``."""
    start = time.monotonic()
    while not until():
        time.sleep(poll_s)
    return time.monotonic() - start


def measure_rollback(sdk, http, prompt, unit, do_rollback):
    """Runs ``do_rollback`` with two watchers started just before: the SDK (every 1 ms) and HTTP (every 5 ms)."""
    results = {}
    started = threading.Event()

    def sdk_watch():
        started.wait()
        results["sdk"] = watch(lambda: sdk.resolve(prompt, unit).version == 1, 0.001)

    def http_watch():
        started.wait()
        results["http"] = watch(
            lambda: http.get(f"/v1/prompts/{prompt}/resolve?unit={unit}").json()["version"] == 1, 0.005
        )

    threads = [threading.Thread(target=sdk_watch), threading.Thread(target=http_watch)]
    for t in threads:
        t.start()
    started.set()
    do_rollback()
    for t in threads:
        t.join(60)
    return results["sdk"], results["http"]


def canary_unit(sdk, prompt):
    return next(u for u in (f"u-{i}" for i in range(10_000)) if sdk.resolve(prompt, u).version == 2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--writes", type=int, default=20)
    p.add_argument("--aborts", type=int, default=5)
    args = p.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-sdk-python-") as work:
        stack = Stack(Path(work))
        try:
            stack.start()
            stack.create_versions("bench-py", 2)
            stack.route("bench-py", 1, 2, 2000)
            with PromptCanary(stack.node_url, stack.keys["client"], start_timeout=30) as sdk:
                eventually("the canary at the SDK", lambda: sdk.resolve("bench-py", "x").canary_weight_bp == 2000)
                units = [f"session-{i}" for i in range(10_000)]
                http = Http(stack.node_url, stack.keys["client"])
                local_call = lambda n: sdk.resolve("bench-py", units[n % 10_000])  # noqa: E731
                http_call = lambda n: http.get(f"/v1/prompts/bench-py/resolve?unit={units[n % 10_000]}")  # noqa: E731
                resolves_per_second(local_call, 1)
                resolves_per_second(http_call, 1)
                local = statistics.median(resolves_per_second(local_call, args.seconds) for _ in range(args.rounds))
                remote = statistics.median(resolves_per_second(http_call, args.seconds) for _ in range(args.rounds))

                writes = []
                for i in range(args.writes):
                    stack.route("bench-py", 1, 2, 5000 + i)
                    eventually("the canary back", lambda: sdk.resolve("bench-py", "x").canary_weight_bp == 5000 + i)
                    unit = canary_unit(sdk, "bench-py")
                    eventually("the canary on HTTP", lambda: http.get(f"/v1/prompts/bench-py/resolve?unit={unit}").json()["version"] == 2)
                    writes.append(measure_rollback(sdk, http, "bench-py", unit, lambda: stack.route("bench-py", 1, 2, 0)))

                aborts = []
                for i in range(args.aborts):
                    prompt = f"bench-py-abort-{i}"
                    stack.create_versions(prompt, 2)
                    status, started = stack.call(
                        "POST", "/v1/rollouts",
                        {"prompt": prompt, "candidateVersion": 2, "stages": [{"weightBp": 5000, "maxBakeSeconds": 3600}]},
                        role="deployer",
                    )
                    assert status == 201, started
                    eventually("the rollout at the SDK", lambda: sdk.resolve(prompt, "x").rollout_id == started["id"], 60)
                    unit = canary_unit(sdk, prompt)
                    eventually("the canary on HTTP", lambda: http.get(f"/v1/prompts/{prompt}/resolve?unit={unit}").json()["version"] == 2)
                    abort = lambda: stack.call("POST", f"/v1/rollouts/{started['id']}/abort", {"reason": "bench"}, role="deployer")  # noqa: E731
                    aborts.append(measure_rollback(sdk, http, prompt, unit, abort))
        finally:
            stack.close()
    load_end = os.getloadavg()[0]

    def med(xs):
        return statistics.median(xs)

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))]

    w_sdk, w_http = [s for s, _ in writes], [h for _, h in writes]
    a_sdk, a_http = [s for s, _ in aborts], [h for _, h in aborts]
    rows = [
        ("resolves/s, one thread (median of rounds)", f"{local:,.0f}", f"{remote:,.0f}", f"{local / remote:,.0f}x", "GET .../resolve, one connection"),
        (f"routing write -> serving stable, median s ({len(writes)})", f"{med(w_sdk):.3f}", f"{med(w_http):.3f}", f"{med(w_sdk) / med(w_http):.2f}", "HTTP resolve every 5 ms"),
        ("routing write -> serving stable, p90 s", f"{pct(w_sdk, 0.9):.3f}", f"{pct(w_http, 0.9):.3f}", "", "same"),
        ("routing write -> serving stable, max s", f"{max(w_sdk):.3f}", f"{max(w_http):.3f}", "", "same"),
        (f"abort sent -> serving stable, median s ({len(aborts)})", f"{med(a_sdk):.3f}", f"{med(a_http):.3f}", f"{med(a_sdk) / med(a_http):.2f}", "same"),
        ("abort sent -> serving stable, max s", f"{max(a_sdk):.3f}", f"{max(a_http):.3f}", "", "same"),
    ]
    header = ("measure", "SDK", "baseline", "ratio", "baseline is")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(5)]
    fmt = lambda r: "| " + " | ".join(c.ljust(widths[i]) if i in (0, 4) else c.rjust(widths[i]) for i, c in enumerate(r)) + " |"  # noqa: E731
    print(f"load average {load_start:.1f} at the start, {load_end:.1f} at the end")
    print(fmt(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(fmt(r))
    print(json.dumps({
        "local_resolves_per_s": round(local), "http_resolves_per_s": round(remote), "ratio": round(local / remote, 1),
        "write_to_sdk_median_s": round(med(w_sdk), 3), "write_to_sdk_max_s": round(max(w_sdk), 3),
        "write_to_http_resolve_median_s": round(med(w_http), 3),
        "abort_to_sdk_median_s": round(med(a_sdk), 3), "abort_to_http_resolve_median_s": round(med(a_http), 3),
        "writes": len(writes), "aborts": len(aborts), "target_met": med(w_sdk) < 1.0,
    }))


if __name__ == "__main__":
    main()
