"""Overhead of agent-otel's openai instrumentation beside its peers: `python -m benchmarks.openai_overhead`.

Each mode (agent-otel; the official `opentelemetry-instrumentation-genai-openai`; the contrib
`opentelemetry-instrumentation-openai-v2`, in a venv of its own, see _peers.py) is instrumented alone, one
block at a time (`instrument()`, the block, `uninstrument()`), the modes' order rotating every round, so
load drifts on the machine hit every mode alike. In a block, the original `create` and the instrumented
one are called alternately on one in-process client (`httpx2.MockTransport` serving canned replies from
agent_otel.testing), the order flipping each pair. Reported per mode: both medians and the median of the
paired differences, the added µs. Set-up: the full OpenTelemetry SDK (BatchSpanProcessor to a null
exporter, an in-memory metric reader, a batch log processor), content capture off unless stated.

Cases and budgets (issue 9), each against the same run's fastest peer or an absolute limit:
- non-streamed chat, Responses create, embeddings: added µs <= 0.75x the fastest peer's;
- stream chunk: the marginal µs of a chunk, (added at 200 chunks - added at 2) / 198: <= 1 µs;
- a chat call under an unsampled parent, content capture on: <= 10 µs with AGENT_OTEL_UNSAMPLED_METRICS=false;
  with the metrics kept, <= the bare cost of the metric records it makes + 5 µs. The records are read
  back from the metric reader (what one call records: instrument, attributes) and made again directly on
  the same MeterProvider, in the same rounds, the same way: paired, the original call alone against the
  original call followed by the records (records timed alone in a tight loop run hot, ~2.5x faster than
  where any instrumentation makes them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from benchmarks._common import Row, Stats, summary_row
from benchmarks._openai_host import CASES, MODES, Host
from benchmarks._peers import Worker, serve, side_python

OURS = "agent-otel"
SIDE_PEERS = ("openai-v2",)  # modes that run in a venv of their own
Runner = Callable[..., Any]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="pairs per mode per case (1200, quick 150)")
    parser.add_argument("--quick", action="store_true", help="a short run (noisier)")
    parser.add_argument("--no-side-peers", action="store_true", help="skip peers that need their own venv")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="process CPU time (default)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    # accepted for old command lines: every available peer is measured now
    parser.add_argument("--official", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stream-n", "--warmup", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        host = Host()
        return serve(host.handle)

    n = args.n or (150 if args.quick else 1200)
    host = Host()
    runners: dict[str, Runner] = {}
    local = [m for m in MODES if m not in SIDE_PEERS]
    for mode in host.handle({"op": "available", "modes": local}):
        runners[mode] = _local(host)
    workers: list[Worker] = []
    versions = host.handle({"op": "versions"})
    if not args.no_side_peers:
        for peer in SIDE_PEERS:
            python = side_python(peer)
            if python is None:
                continue
            worker = Worker(python, "benchmarks.openai_overhead")
            workers.append(worker)
            if peer in worker.call(op="available", modes=[peer]):
                runners[peer] = worker.call
                versions[peer] = worker.call(op="versions").get(peer, "?")
    if OURS not in runners:
        print("agent-otel's OpenAIInstrumentor cannot be imported", file=sys.stderr)
        return 1
    try:
        print(
            f"openai {versions['openai']}; "
            + ", ".join(f"{m} {versions.get(m, '?')}" for m in runners)
            + f"; {n} pairs per mode per case (200-chunk streams: {max(n // 4, 20)}), full SDK, "
            + ("process CPU time\n" if args.clock == "cpu" else "wall time\n")
        )
        _run(host, runners, n, args.quick, args.clock)
    finally:
        for worker in workers:
            worker.close()
    return 0


def _local(host: Host) -> Runner:
    def call(**message: Any) -> Any:
        return host.handle(dict(message))

    return call


def _run(host: Host, runners: dict[str, Runner], n: int, quick: bool, clock: str) -> None:
    results: dict[str, dict[str, Stats]] = {}
    bare: list[list[float]] = []
    for name, case in CASES.items():
        modes = [m for m, run in runners.items() if run(op="supports", mode=m, case=name)]
        pairs = max(n // 4, 20) if case.stream_chunks > 100 else n
        block = max(pairs // (8 if quick else 16), 3)
        rounds = max(pairs // block, 1)
        warmup = max(block, 10)
        records: list[dict[str, Any]] = []
        if case.unsampled and case.unsampled_metrics:
            records = host.handle({"op": "records", "mode": OURS, "case": name})
            host.handle({"op": "bare", "records": records, "case": name, "pairs": warmup, "clock": clock})
        data: dict[str, list[list[float]]] = {m: [] for m in modes}
        for mode in modes:
            runners[mode](op="block", mode=mode, case=name, pairs=warmup, clock=clock)
        for round_ in range(rounds):
            shift = round_ % len(modes)
            for mode in modes[shift:] + modes[:shift]:
                data[mode].extend(runners[mode](op="block", mode=mode, case=name, pairs=block, clock=clock))
            if records:
                message = {"op": "bare", "records": records, "case": name, "pairs": block, "clock": clock}
                bare.extend(host.handle(message))
        results[name] = {m: Stats.of(v) for m, v in data.items()}
        print(f"{name}:")
        for mode, s in results[name].items():
            print(
                f"  {mode:<14} base {s.base:8.1f} µs  instrumented {s.inst:8.1f} µs  "
                f"added {s.added:7.1f} µs (IQR {s.q1:.1f}..{s.q3:.1f}, {s.n} pairs)"
            )
        if records:
            names = ", ".join(sorted({r["name"] for r in records}))
            s = Stats.of(bare)
            print(
                f"  {'bare records':<14} {len(records)} metric records per call ({names}), made after the "
                f"original call: added {s.added:7.1f} µs (IQR {s.q1:.1f}..{s.q3:.1f}, {s.n} pairs)"
            )
    print()
    _budgets(results, Stats.of(bare).added if bare else None)


def _fastest(per_mode: dict[str, float]) -> tuple[str, float | None]:
    peers = {m: v for m, v in per_mode.items() if m != OURS}
    if not peers:
        return "no peer", None
    mode = min(peers, key=lambda m: peers[m])
    return mode, peers[mode]


def _budgets(results: dict[str, dict[str, Stats]], bare: float | None) -> None:
    for name, label in (
        ("chat", "non-streamed chat, sampled"),
        ("responses", "Responses create, sampled"),
        ("embeddings", "embeddings, sampled"),
    ):
        added = {m: s.added for m, s in results[name].items()}
        peer, value = _fastest(added)
        ours = added.get(OURS)
        met = None if value is None or ours is None else ours <= 0.75 * value
        summary_row(Row(label, ours, value, peer, "µs", "<= 0.75x peer", met))

    two, many = results["stream 2 chunks"], results["stream 200 chunks"]
    chunks = CASES["stream 200 chunks"].stream_chunks - CASES["stream 2 chunks"].stream_chunks
    marginal = {m: (many[m].added - two[m].added) / chunks for m in many if m in two}
    peer, value = _fastest(marginal)
    ours = marginal.get(OURS)
    summary_row(Row("stream chunk, marginal", ours, value, peer, "µs", "<= 1 µs", _le(ours, 1.0)))

    off = {m: s.added for m, s in results["unsampled, metrics off"].items()}
    peer, value = _fastest(off)
    ours = off.get(OURS)
    summary_row(Row("unsampled, metrics off", ours, value, peer, "µs", "<= 10 µs", _le(ours, 10.0)))

    on = {m: s.added for m, s in results["unsampled, metrics on"].items()}
    peer, value = _fastest(on)
    ours = on.get(OURS)
    limit = None if bare is None else bare + 5.0
    budget = f"<= records {bare:.1f} + 5 µs" if bare is not None else "<= records + 5 µs"
    summary_row(Row("unsampled, metrics on", ours, value, peer, "µs", budget, _le(ours, limit)))


def _le(value: float | None, limit: float | None) -> bool | None:
    return None if value is None or limit is None else value <= limit


if __name__ == "__main__":
    raise SystemExit(main())
