"""The `agent-otel` command: read OTLP JSON-lines trace files and answer questions about them.

- `main`: argument parsing and the subcommands (`view`, `query`, `demo`).
- `reader`: streams spans out of a trace file, with line-numbered diagnostics on bad input.
- `model`: span, trace and summary records, and what each span means (operation, agent, tokens, cost).
- `traces`: groups streamed spans into traces with bounded memory.
- `selection`: which traces `view` renders (the most recent, or by id) within a memory cap.
- `view` / `html` (+ the `waterfall.html` template): the terminal tree and the self-contained HTML page.
- `units`: durations, token counts, costs and times written for people.
- `query`: `slow`, `agents` and `errors` (`query_slow`, `query_agents`, `query_errors`; `report`: their
  tables and JSON).
- `demo`, `demo_app`, `demo_script`: the demo command, its LangGraph app and the fake model's script.

Nothing here patches anything, and only `demo_app` imports an instrumented library (it runs in a
subprocess, under `opentelemetry-instrument`).
"""
