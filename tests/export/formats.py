"""What the trainers' own loaders expect: OpenAI's chat fine-tuning rows with tools (as a
JSON Schema) and a tool-calling chat template of the kind TRL renders (as a string)."""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}

OPENAI_CHAT_FINE_TUNING: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "OpenAI chat fine-tuning example with tools",
    "type": "object",
    "required": ["messages"],
    "additionalProperties": False,
    "properties": {
        "messages": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/message"}},
        "tools": {"type": "array", "items": {"$ref": "#/$defs/tool"}},
        "parallel_tool_calls": {"type": "boolean"},
        # Arena's own key; it names the recording behind the row.
        "provenance": {"type": "object"},
    },
    "$defs": {
        "message": {
            "oneOf": [
                {"$ref": "#/$defs/system"},
                {"$ref": "#/$defs/user"},
                {"$ref": "#/$defs/assistant"},
                {"$ref": "#/$defs/tool_message"},
            ]
        },
        "system": {
            "type": "object",
            "required": ["role", "content"],
            "additionalProperties": False,
            "properties": {"role": {"const": "system"}, "content": _TEXT, "name": _TEXT},
        },
        "user": {
            "type": "object",
            "required": ["role", "content"],
            "additionalProperties": False,
            "properties": {"role": {"const": "user"}, "content": _TEXT, "name": _TEXT},
        },
        "assistant": {
            "type": "object",
            "required": ["role"],
            "additionalProperties": False,
            "properties": {
                "role": {"const": "assistant"},
                "content": {"type": ["string", "null"]},
                "name": _TEXT,
                "tool_calls": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/$defs/tool_call"},
                },
                "weight": {"enum": [0, 1]},
            },
            "anyOf": [
                {"required": ["tool_calls"]},
                {"required": ["content"], "properties": {"content": _TEXT}},
            ],
        },
        "tool_call": {
            "type": "object",
            "required": ["id", "type", "function"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "type": {"const": "function"},
                "function": {
                    "type": "object",
                    "required": ["name", "arguments"],
                    "additionalProperties": False,
                    "properties": {
                        "name": _TEXT,
                        "arguments": _TEXT,  # JSON text, not an object
                    },
                },
            },
        },
        "tool_message": {
            "type": "object",
            "required": ["role", "tool_call_id", "content"],
            "additionalProperties": False,
            "properties": {
                "role": {"const": "tool"},
                "tool_call_id": {"type": "string", "minLength": 1},
                "content": _TEXT,
            },
        },
        "tool": {
            "type": "object",
            "required": ["type", "function"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "function"},
                "function": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,64}$"},
                        "description": _TEXT,
                        "parameters": {"type": "object"},  # a JSON Schema object
                        "strict": {"type": "boolean"},
                    },
                },
            },
        },
    },
}
"""JSON Schema of one line of an OpenAI chat fine-tuning file with function tools."""

TOOL_CHAT_TEMPLATE = """\
{%- if messages[0].role == 'system' %}<|im_start|>system
{{ messages[0].content }}
{%- endif %}
{%- if tools %}
# Tools
{%- for tool in tools %}
{%- if tool.function.parameters is string %}
{{- raise_exception('parameters must be an object') }}
{%- endif %}
{{ tool.function | tojson }}
{%- endfor %}
{%- endif %}<|im_end|>
{%- for message in messages %}
{%- if message.role == 'user' %}
<|im_start|>user
{{ message.content }}<|im_end|>
{%- elif message.role == 'assistant' %}
<|im_start|>assistant
{{ message.content or '' }}
{%- for call in message.tool_calls or [] %}
{%- if call.function.arguments is string %}
{{- raise_exception('arguments must be an object') }}
{%- endif %}
<tool_call>{"name": "{{ call.function.name }}", \
"arguments": {{ call.function.arguments | tojson }}}</tool_call>
{%- endfor %}<|im_end|>
{%- elif message.role == 'tool' %}
<|im_start|>tool
<tool_response name="{{ message.name }}">{{ message.content }}</tool_response><|im_end|>
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
<|im_start|>assistant
{%- endif %}"""
"""A ChatML tool-calling chat template (Qwen-style) that refuses arguments or parameters
given as JSON text: TRL renders conversational rows through such templates."""
