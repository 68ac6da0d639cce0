"""A small openai app with no tracing code at all: run it under `opentelemetry-instrument` to trace it.

    OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OPENAI_API_KEY=x \\
        opentelemetry-instrument --traces_exporter console python examples/openai_app.py

It makes one plain chat call, one streamed chat call (with usage), one Responses call and one embeddings
call, and prints what came back. tests/test_zero_code.py runs it against agent-otel's fake server.
"""

from __future__ import annotations

from openai import OpenAI


def main() -> None:
    client = OpenAI()  # OPENAI_BASE_URL and OPENAI_API_KEY come from the environment
    messages = [{"role": "user", "content": "What is OpenTelemetry?"}]

    reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0.2)
    print("chat:", reply.choices[0].message.content)

    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, stream=True, stream_options={"include_usage": True}
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    print("stream:", text)

    response = client.responses.create(model="gpt-4.1-mini", input="Say hello", instructions="Be brief.")
    print("responses:", response.output_text)

    vectors = client.embeddings.create(model="text-embedding-3-small", input=["one", "two"])
    print("embeddings:", len(vectors.data), "vectors of", len(vectors.data[0].embedding))


if __name__ == "__main__":
    main()
