"""The OpenAI Agents SDK's README examples, runnable offline against `FakeOpenAIServer` (no test functions).

Each builder takes the API the agents' models speak (`"chat"`: `OpenAIChatCompletionsModel`,
`"responses"`: `OpenAIResponsesModel`) and an `AsyncOpenAI` client pointed at the fake server, and returns
an `App`: the starting agent, the input, the run config, the responder that scripts the model's side
(install it with `srv.responder = app.responder`) and the final output the run must produce.

The responders decide each reply from the request alone (which agent asks, from its instructions; which
tool calls the conversation already answered), so they hold no state and stay right under parallel tool
calls, streaming, retries of a run, and either API. A request no responder scripts gets a 400 (never
retried by the client) so a mistake shows at once instead of as an echo.

Apps (names after the SDK README's examples):

- `handoff_app`: a triage agent hands off to a Spanish agent, which calls the `get_weather` function
  tool, then answers. Workflow name "Customer service", group id "conv-42".
- `agent_as_tool_app`: an orchestrator calls a translator agent through `Agent.as_tool` (a nested run).
- `guardrail_app`: an input guardrail runs its own agent (structured output) and trips on homework
  (`trip=True`: `Runner.run` raises `InputGuardrailTripwireTriggered`), or lets the tutor answer.
  `parallel` is the guardrail's `run_in_parallel` (True: the SDK's default, the model call races the
  guardrail and is cancelled when it trips; False needs an SDK with `BLOCKING_GUARDRAILS`).
- `parallel_tools_app`: one model turn asks for two `get_weather` calls, which the SDK runs concurrently.
- `mcp_app`: an agent calls `get_weather` on the real test MCP server (`agent_otel.testing.mcp_servers`,
  a subprocess over stdio): open it with `async with mcp_weather_server() as mcp:` and pass it in.

Runners: `run` (`Runner.run`), `run_sync` (`Runner.run_sync`, from synchronous code) and `run_streamed`
(`Runner.run_streamed`, consuming every event; it returns the result and the text deltas seen).

The SDK's own trace export must be off in tests (`agents.set_trace_processors([])`; see conftest.py):
these apps never configure it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from agents import (
    Agent,
    GuardrailFunctionOutput,
    Model,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    RunContextWrapper,
    Runner,
    RunResult,
    RunResultStreaming,
    TResponseInputItem,
    function_tool,
    handoff,
    input_guardrail,
)
from agents.mcp import MCPServer, MCPServerStdio
from openai import AsyncOpenAI
from pydantic import BaseModel

from agent_otel.testing.mcp_servers import SERVER_MODULE, weather_text
from agent_otel.testing.openai_server import (
    RecordedRequest,
    Reply,
    request_instructions,
    tool_history,
    turn_reply,
)

Api = Literal["chat", "responses"]
APIS: tuple[Api, ...] = ("chat", "responses")
MODEL = "gpt-4o-mini"

Responder = Callable[[RecordedRequest], Reply | None]

# `input_guardrail(run_in_parallel=...)` (a blocking guardrail) is newer than the oldest supported SDK, where
# input guardrails always race the model call.
BLOCKING_GUARDRAILS = "run_in_parallel" in inspect.signature(input_guardrail).parameters

# The SDK asks for the usage chunk of a streamed chat completion only from api.openai.com unless told:
# every agent here asks, as a real deployment would get usage.
SETTINGS = ModelSettings(include_usage=True)


@dataclass
class App:
    """One runnable example: what to run, how the fake model answers, and what the run must return."""

    name: str
    agent: Agent[Any]
    input: str
    responder: Responder
    expected_output: str | None
    run_config: RunConfig = field(default_factory=RunConfig)
    tool_log: list[str] = field(default_factory=list)  # what the function tools did, in order


def model_for(api: Api, client: AsyncOpenAI, model: str = MODEL) -> Model:
    """The SDK model for `api`, on `client` (never the SDK's default client)."""
    if api == "chat":
        return OpenAIChatCompletionsModel(model=model, openai_client=client)
    return OpenAIResponsesModel(model=model, openai_client=client)


def unscripted(request: RecordedRequest) -> Reply:
    return Reply.error(400, f"unscripted request to {request.path}: {request_instructions(request)!r}")


def _dispatch(routes: dict[str, Responder]) -> Responder:
    """Route a request to the responder of the first agent marker found in its instructions."""

    def responder(request: RecordedRequest) -> Reply | None:
        instructions = request_instructions(request) or ""
        for marker, route in routes.items():
            if marker in instructions:
                return route(request)
        return unscripted(request)

    return responder


def _answered(request: RecordedRequest, tool: str) -> list[str]:
    """The outputs the conversation already has for calls to `tool`, in call order."""
    return [t.output for t in tool_history(request) if t.name == tool and t.output is not None]


# ---- handoff + function tool


def handoff_app(api: Api, client: AsyncOpenAI) -> App:
    log: list[str] = []

    @function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        log.append(f"get_weather:{city}")
        return f"sunny, 25C in {city}"

    spanish_agent = Agent(
        name="Spanish agent",
        instructions="[spanish] You only speak Spanish.",
        tools=[get_weather],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )
    to_spanish = handoff(spanish_agent)
    triage_agent = Agent(
        name="Triage agent",
        instructions="[triage] Handoff to the appropriate agent based on the language of the request.",
        handoffs=[to_spanish],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    def triage(request: RecordedRequest) -> Reply:
        return turn_reply(request, tool_calls=[{"id": "call_handoff", "name": to_spanish.tool_name}])

    def spanish(request: RecordedRequest) -> Reply:
        weather = _answered(request, "get_weather")
        if not weather:
            call = {"id": "call_weather", "name": "get_weather", "arguments": {"city": "Madrid"}}
            return turn_reply(request, tool_calls=[call])
        return turn_reply(request, f"¡Hola! El tiempo: {weather[0]}")

    return App(
        name="handoff",
        agent=triage_agent,
        input="Hola, ¿qué tiempo hace en Madrid?",
        responder=_dispatch({"[triage]": triage, "[spanish]": spanish}),
        expected_output="¡Hola! El tiempo: sunny, 25C in Madrid",
        run_config=RunConfig(workflow_name="Customer service", group_id="conv-42"),
        tool_log=log,
    )


# ---- agent as tool


def agent_as_tool_app(api: Api, client: AsyncOpenAI) -> App:
    translator = Agent(
        name="French translator",
        instructions="[french] Translate the user's message to French.",
        model=model_for(api, client),
        model_settings=SETTINGS,
    )
    orchestrator = Agent(
        name="Orchestrator",
        instructions="[orchestrator] You use the tools given to you to translate.",
        tools=[
            translator.as_tool(
                tool_name="translate_to_french",
                tool_description="Translate the user's message to French",
            )
        ],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    def orchestrate(request: RecordedRequest) -> Reply:
        translated = _answered(request, "translate_to_french")
        if not translated:
            call = {
                "id": "call_translate",
                "name": "translate_to_french",
                "arguments": {"input": "Good morning"},
            }
            return turn_reply(request, tool_calls=[call])
        return turn_reply(request, f"In French: {translated[0]}")

    def translate(request: RecordedRequest) -> Reply:
        return turn_reply(request, "Bonjour")

    return App(
        name="agent_as_tool",
        agent=orchestrator,
        input="Say 'Good morning' in French.",
        responder=_dispatch({"[orchestrator]": orchestrate, "[french]": translate}),
        expected_output="In French: Bonjour",
    )


# ---- input guardrail (its own agent, structured output)


class HomeworkOutput(BaseModel):
    is_math_homework: bool
    reasoning: str


def guardrail_app(api: Api, client: AsyncOpenAI, *, trip: bool = True, parallel: bool = True) -> App:
    guardrail_agent = Agent(
        name="Guardrail check",
        instructions="[guardrail] Check if the user is asking you to do their math homework.",
        output_type=HomeworkOutput,
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    async def math_guardrail(
        ctx: RunContextWrapper[Any], agent: Agent[Any], input: str | list[TResponseInputItem]
    ) -> GuardrailFunctionOutput:
        result = await Runner.run(guardrail_agent, input, context=ctx.context)
        output = result.final_output_as(HomeworkOutput)
        return GuardrailFunctionOutput(output_info=output, tripwire_triggered=output.is_math_homework)

    if not parallel and not BLOCKING_GUARDRAILS:
        raise ValueError("this openai-agents has no blocking input guardrails")
    guardrail = input_guardrail(run_in_parallel=parallel) if BLOCKING_GUARDRAILS else input_guardrail

    tutor = Agent(
        name="Math tutor",
        instructions="[tutor] You help students understand math.",
        input_guardrails=[guardrail(math_guardrail)],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    def check(request: RecordedRequest) -> Reply:
        verdict = HomeworkOutput(
            is_math_homework=trip, reasoning="homework" if trip else "a concept question"
        )
        return turn_reply(request, verdict.model_dump_json())

    def teach(request: RecordedRequest) -> Reply:
        return turn_reply(request, "A derivative measures how fast a function changes.")

    return App(
        name="guardrail_trip" if trip else "guardrail_pass",
        agent=tutor,
        input="Solve 2x + 3 = 11 for me." if trip else "What is a derivative?",
        responder=_dispatch({"[guardrail]": check, "[tutor]": teach}),
        expected_output=None if trip else "A derivative measures how fast a function changes.",
    )


# ---- parallel tool calls


def parallel_tools_app(api: Api, client: AsyncOpenAI) -> App:
    log: list[str] = []

    @function_tool
    async def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        log.append(f"start:{city}")
        log.append(f"end:{city}")
        return f"sunny in {city}"

    agent = Agent(
        name="Weather agent",
        instructions="[weather] Answer with the weather of every city asked about.",
        tools=[get_weather],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    def weather(request: RecordedRequest) -> Reply:
        outputs = _answered(request, "get_weather")
        if not outputs:
            calls = [
                {"id": "call_paris", "name": "get_weather", "arguments": {"city": "Paris"}},
                {"id": "call_tokyo", "name": "get_weather", "arguments": {"city": "Tokyo"}},
            ]
            return turn_reply(request, tool_calls=calls)
        return turn_reply(request, " and ".join(outputs))

    return App(
        name="parallel_tools",
        agent=agent,
        input="Weather in Paris and Tokyo?",
        responder=_dispatch({"[weather]": weather}),
        expected_output="sunny in Paris and sunny in Tokyo",
        tool_log=log,
    )


# ---- MCP server tools


def mcp_weather_server() -> MCPServerStdio:
    """The test MCP weather server as the SDK's stdio MCP server (use it with `async with`)."""
    params = {"command": sys.executable, "args": ["-m", SERVER_MODULE]}
    return MCPServerStdio(name="weather", params=params, cache_tools_list=True)  # type: ignore[arg-type]


def _mcp_text(output: str) -> str:
    """The text of an MCP tool result as the model saw it (0.3.3 sends the content item as JSON)."""
    try:
        item = json.loads(output)
    except ValueError:
        return output
    return str(item["text"]) if isinstance(item, dict) and "text" in item else output


def mcp_app(api: Api, client: AsyncOpenAI, mcp_server: MCPServer) -> App:
    agent = Agent(
        name="MCP weather agent",
        instructions="[mcp] Answer with the weather from your MCP tools.",
        mcp_servers=[mcp_server],
        model=model_for(api, client),
        model_settings=SETTINGS,
    )

    def weather(request: RecordedRequest) -> Reply:
        outputs = _answered(request, "get_weather")
        if not outputs:
            call = {"id": "call_mcp", "name": "get_weather", "arguments": {"city": "Paris"}}
            return turn_reply(request, tool_calls=[call])
        return turn_reply(request, f"MCP says: {_mcp_text(outputs[0])}")

    return App(
        name="mcp",
        agent=agent,
        input="Weather in Paris?",
        responder=_dispatch({"[mcp]": weather}),
        expected_output=f"MCP says: {weather_text('Paris')}",
    )


# ---- runners


async def run(app: App) -> RunResult:
    return await Runner.run(app.agent, app.input, run_config=app.run_config)


def run_sync(app: App) -> RunResult:
    """`Runner.run_sync` from synchronous code, on a fresh event loop.

    Older SDKs run on `asyncio.get_event_loop()`, which fails once pytest-asyncio closed its loop.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return Runner.run_sync(app.agent, app.input, run_config=app.run_config)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


@dataclass
class Streamed:
    result: RunResultStreaming
    text_deltas: list[str]
    event_types: list[str]


async def run_streamed(app: App) -> Streamed:
    result = Runner.run_streamed(app.agent, app.input, run_config=app.run_config)
    deltas: list[str] = []
    types: list[str] = []
    async for event in result.stream_events():
        types.append(event.type)
        if event.type == "raw_response_event" and event.data.type == "response.output_text.delta":
            deltas.append(event.data.delta)
    return Streamed(result, deltas, types)
