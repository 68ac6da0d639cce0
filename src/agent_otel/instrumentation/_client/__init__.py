"""Machinery the model-client adapters (openai, anthropic) share; the provider-specific parts are passed in.

- `calls.py`: the wrappers of a method that makes a request (`call_wrapper`);
- `blocks.py`: the SDKs' `with` blocks (`entering_wrapper`, `exit_wrapper`, `block_exc`);
- `raw.py`: the raw-response hooks (`parse()` / `close()` shadowed, `weakref.finalize`) and the SDKs'
  private raw-response header;
- `endings.py`: the `Operation` callbacks those hooks call (`RawEndings`: `on_parsed`, `on_parse_error`).

The lazy-patching instrumentor skeleton (also mcp's) is `instrumentation/_lazy.py`.
"""
