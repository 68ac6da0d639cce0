"""html: the waterfall page is self-contained, carries every span's data, and cannot be broken by it."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from agent_otel.cli import view

from .builders import agent_trace, line, span, write


class Resources(HTMLParser):
    """Every URL the page would load, and the embedded data block."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.data: str | None = None
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data") and value:
                self.urls.append(value)
        self._in_data = tag == "script" and ("id", "data") in attrs

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data = (self.data or "") + data


def page(tmp_path: Path, lines: list[str], **kw: Any) -> tuple[str, Resources]:
    out = tmp_path / "page.html"
    status = view.run(
        str(write(tmp_path / "t.jsonl", lines)),
        html_out=str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        **kw,
    )
    assert status == 0
    text = out.read_text(encoding="utf-8")
    parsed = Resources()
    parsed.feed(text)
    return text, parsed


def test_page_loads_nothing_from_the_network(tmp_path: Path) -> None:
    text, parsed = page(tmp_path, [line(agent_trace())])
    assert parsed.urls == []  # no external scripts, styles, fonts or images
    assert "@import" not in text and "url(" not in text and "@font-face" not in text
    assert not re.search(r"https?://", text)
    assert parsed.tags.count("script") == 2 and parsed.tags.count("style") == 1  # data + inline code


def test_page_embeds_every_span_with_its_tree_position(tmp_path: Path) -> None:
    _, parsed = page(tmp_path, [line(agent_trace())])
    assert parsed.data is not None
    data = json.loads(parsed.data)
    (trace,) = data["traces"]
    assert trace["root"] == "invoke_workflow support_team" and trace["spans"] == 11 and trace["errors"] == 1
    assert (trace["tin"], trace["tout"], trace["cost"]) == (1000, 100, "$0.0100")
    rows = trace["rows"]
    assert [(r["d"], r["n"]) for r in rows[:4]] == [
        (0, "invoke_workflow support_team"),
        (1, "invoke_agent triage"),
        (2, "chat gpt-4o-mini"),
        (2, "execute_tool transfer_to_researcher"),
    ]
    assert all(r["p"] < r["i"] for r in rows)  # parents come before children
    (err,) = [r for r in rows if r["e"]]
    assert (
        err["n"] == "execute_tool search" and err["et"] == "TimeoutError" and err["sm"] == "search timed out"
    )
    assert err["a"]["gen_ai.agent.name"] == "researcher"  # all attributes, for the details panel
    writer_chat = rows[-1]
    assert writer_chat["s"] == 46.0 and writer_chat["du"] == 50.0 and writer_chat["c"] == 0.004


def test_span_data_cannot_close_the_script_element(tmp_path: Path) -> None:
    evil = span(1, 1, "</script><script>alert(1)</script><!--", 0, 1, note="</SCRIPT> & <b>")
    text, parsed = page(tmp_path, [line([evil])])
    assert "<script>alert(1)" not in text
    data = json.loads(parsed.data or "")
    assert data["traces"][0]["rows"][0]["n"] == "</script><script>alert(1)</script><!--"
    assert data["traces"][0]["rows"][0]["a"]["note"] == "</SCRIPT> & <b>"
    assert "&lt;/script&gt;" in text.split("<title>")[1].split("</title>")[0]


def test_several_traces_are_all_in_the_page(tmp_path: Path) -> None:
    _, parsed = page(tmp_path, [line(agent_trace(t, offset_ms=t * 500)) for t in (1, 2, 3)], limit=0)
    data = json.loads(parsed.data or "")
    assert [t["id"] for t in data["traces"]] == [f"{t:032x}" for t in (1, 2, 3)]
    assert data["totalTraces"] == 3 and data["totalSpans"] == 33


def test_huge_attribute_values_are_cut(tmp_path: Path) -> None:
    big = span(1, 1, "chat", 0, 1, gen_ai__input__messages="x" * 50_000)
    _, parsed = page(tmp_path, [line([big])])
    value = json.loads(parsed.data or "")["traces"][0]["rows"][0]["a"]["gen_ai.input.messages"]
    assert value.startswith("x" * 20_000) and value.endswith("… (30000 more characters)")
