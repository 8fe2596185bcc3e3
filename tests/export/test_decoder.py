"""Recorded requests decode to exactly what a whole decode gives, tools read once."""

from __future__ import annotations

import orjson

from arena_core.export.recorded import RequestDecoder

TOOLS = [
    {
        "name": "plan",
        "description": "A tool whose schema has a property called tools.",
        "input_schema": {"type": "object", "properties": {"tools": {"type": "array"}}},
    }
]


def _request(text: str) -> bytes:
    return orjson.dumps(
        {
            "model": "m", "prompt": None, "parameters": {"seed": 1}, "system": "s",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": text}]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "t1", "name": "plan",
                     "input": {"a": 1, "tools": ["x", ",\"tools\":"]}},
                ]},
            ],
            "tools": TOOLS,
        }
    )  # fmt: skip


def test_every_request_decodes_as_a_whole_decode_would() -> None:
    decode = RequestDecoder()
    for text in ("first", 'second, with ,"tools": in it', "third"):
        raw = _request(text)
        assert decode(raw) == orjson.loads(raw)
        assert decode(raw.decode()) == orjson.loads(raw)


def test_a_tools_list_seen_before_is_shared_not_decoded_again() -> None:
    decode = RequestDecoder()
    first, second = decode(_request("one")), decode(_request("two"))
    assert second["tools"] is first["tools"]
    other = _request("three").replace(b'"plan"', b'"build"')
    assert decode(other)["tools"] is not first["tools"]
    assert decode(other) == orjson.loads(other)
