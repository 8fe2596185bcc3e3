"""Rows load where they are used: OpenAI's fine-tuning schema, TRL's data utilities."""

from __future__ import annotations

import io
from typing import Any

import jsonschema
import orjson
import pytest
from sqlalchemy import Engine
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerFast
from trl.data_utils import apply_chat_template, is_conversational

from arena_core.bus import Bus
from arena_core.export import ExportFilter, ExportFormat, export
from arena_core.recorder import RecorderService
from tests.export.formats import OPENAI_CHAT_FINE_TUNING, TOOL_CHAT_TEMPLATE
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run


def rows(engine: Engine, fmt: ExportFormat, flt: ExportFilter = ExportFilter()) -> list[Any]:
    out = io.BytesIO()
    export(engine, fmt, out, flt)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture
async def recorded(bus: Bus, engine: Engine, recorder: RecorderService) -> Engine:
    await publish_run(bus, "run-1", conversation_id="conv-1")
    await publish_run(bus, "run-2", conversation_id="conv-2", child_fails=False, answer="ok")
    await settle(bus, engine)
    return engine


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    """A tokenizer built here (no download) carrying the tool-calling chat template."""
    tok = PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]")),
        unk_token="[UNK]",
    )
    tok.chat_template = TOOL_CHAT_TEMPLATE
    return tok


async def test_every_sft_openai_row_is_valid_openai_chat_fine_tuning(recorded: Engine) -> None:
    validator = jsonschema.Draft202012Validator(OPENAI_CHAT_FINE_TUNING)
    out = rows(recorded, ExportFormat.sft_openai)
    assert len(out) == 2
    for row in out:
        validator.validate(row)
        calls = {}
        for m in row["messages"]:
            for call in m.get("tool_calls", []):
                assert isinstance(orjson.loads(call["function"]["arguments"]), dict)
                calls[call["id"]] = call
            if m["role"] == "tool":
                assert m["tool_call_id"] in calls  # answers a call made before it
        assert row["messages"][-1]["role"] == "assistant"


def test_the_schema_refuses_what_openai_refuses() -> None:
    validator = jsonschema.Draft202012Validator(OPENAI_CHAT_FINE_TUNING)
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}
    bad = {"messages": [{"role": "user", "content": "hi"},
                        {"role": "assistant", "content": None, "tool_calls": [call]}]}  # fmt: skip
    assert not validator.is_valid(bad)  # arguments must be JSON text
    call["function"]["arguments"] = '{"a": 1}'
    assert validator.is_valid(bad)


async def test_sft_trl_rows_render_through_trl_with_a_tool_chat_template(
    recorded: Engine, tokenizer: PreTrainedTokenizerFast
) -> None:
    for row in rows(recorded, ExportFormat.sft_trl):
        assert is_conversational(row)
        text = apply_chat_template({"messages": row["messages"]}, tokenizer, tools=row["tools"])
        rendered = text["text"]
        assert '"arguments": {"part": "p0"}' in rendered
        assert '<tool_response name="measure">3 cm</tool_response>' in rendered
        assert '"parameters": {' in rendered and '"part": {"type": "string"}' in rendered


async def test_grpo_and_preference_rows_render_through_trl(
    recorded: Engine, tokenizer: PreTrainedTokenizerFast
) -> None:
    (group,) = rows(recorded, ExportFormat.grpo)
    assert is_conversational({"prompt": group["prompt"]})
    prompt = apply_chat_template({"prompt": group["prompt"]}, tokenizer, tools=group["tools"])
    assert prompt["prompt"].endswith("<|im_start|>assistant")
    for completion in group["completions"]:
        pair = {"prompt": group["prompt"], "completion": completion}
        assert "<tool_call>" in apply_chat_template(pair, tokenizer)["completion"]
    (pref,) = rows(recorded, ExportFormat.preferences)
    rendered = apply_chat_template(
        {k: pref[k] for k in ("prompt", "chosen", "rejected")}, tokenizer
    )
    assert rendered["chosen"].rstrip().endswith("ok<|im_end|>")
    assert rendered["rejected"].rstrip().endswith("done<|im_end|>")
