"""The official `openai` Python package against Airlock's OpenAI-compatible
API: chat (plain and streaming) and embeddings through a hosted route (the
mock provider upstream) and, when LOCAL=1, through Airlock's local models;
and the SDK's error types for a bad model name, a bad key, and a stream
the provider cuts mid-way.

Run by crates/airlock-cli/tests/openai_sdk.rs with AIRLOCK_BASE_URL,
AIRLOCK_KEY, MOCK_URL and LOCAL set. Exits non-zero on the first failure.
"""

import json
import os
import sys
import urllib.request

import openai

BASE = os.environ["AIRLOCK_BASE_URL"]
KEY = os.environ["AIRLOCK_KEY"]
MOCK = os.environ["MOCK_URL"]
LOCAL = os.environ.get("LOCAL") == "1"

client = openai.OpenAI(base_url=BASE, api_key=KEY, max_retries=0, timeout=60)
checks = []


def check(name):
    def wrap(fn):
        checks.append((name, fn))
        return fn

    return wrap


def inject(fault):
    request = urllib.request.Request(
        MOCK + "/_mock/faults",
        data=json.dumps(fault).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()


@check("chat through the mock")
def _():
    reply = client.chat.completions.create(
        model="mock-chat",
        messages=[{"role": "user", "content": "hello there"}],
        max_tokens=16,
    )
    assert reply.choices[0].message.content == "Mock reply to: hello there", reply
    assert reply.choices[0].finish_reason == "stop", reply
    assert reply.usage.total_tokens > 0, reply
    assert reply.id.startswith("chatcmpl-"), reply


@check("streamed chat through the mock")
def _():
    stream = client.chat.completions.create(
        model="mock-chat",
        messages=[{"role": "user", "content": "hello there"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text, usage, finish = "", None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert text == "Mock reply to: hello there", text
    assert finish == "stop", finish
    assert usage is not None and usage.total_tokens > 0, usage


@check("embeddings through the mock")
def _():
    result = client.embeddings.create(model="mock-embed", input=["first text", "second"])
    assert len(result.data) == 2, result
    assert [d.index for d in result.data] == [0, 1]
    assert len(result.data[0].embedding) == 16, len(result.data[0].embedding)
    assert result.data[0].embedding != result.data[1].embedding


@check("an unknown model raises NotFoundError")
def _():
    try:
        client.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    except openai.NotFoundError as e:
        assert e.status_code == 404
        assert e.code == "model_not_found", e.body
        return
    raise AssertionError("no error")


@check("a bad key raises AuthenticationError")
def _():
    bad = openai.OpenAI(base_url=BASE, api_key="alk_not_a_real_key", max_retries=0)
    try:
        bad.chat.completions.create(
            model="mock-chat", messages=[{"role": "user", "content": "hi"}]
        )
    except openai.AuthenticationError as e:
        assert e.status_code == 401
        return
    raise AssertionError("no error")


@check("a stream the provider cuts raises APIError, not a hang or a short answer")
def _():
    inject({"fault": {"kind": "cut_stream", "after_chunks": 4}, "times": 1})
    stream = client.chat.completions.create(
        model="mock-chat",
        messages=[{"role": "user", "content": "hello there"}],
        stream=True,
    )
    try:
        for _chunk in stream:
            pass
    except openai.APIError as e:
        assert "broke" in str(e) or "stream" in str(e), str(e)
        return
    raise AssertionError("the cut stream ended without an error")


@check("a provider failing every time gives InternalServerError")
def _():
    inject({"fault": {"kind": "status", "status": 500}, "times": 10})
    try:
        client.chat.completions.create(
            model="mock-chat", messages=[{"role": "user", "content": "hi"}]
        )
    except openai.InternalServerError as e:
        assert e.status_code == 503, e.status_code
        return
    finally:
        urllib.request.urlopen(
            urllib.request.Request(MOCK + "/_mock/faults", method="DELETE")
        ).read()
    raise AssertionError("no error")


if LOCAL:

    @check("chat with the local model")
    def _():
        reply = client.chat.completions.create(
            model="local-chat",
            messages=[{"role": "user", "content": "Say hello."}],
            max_tokens=8,
        )
        assert reply.choices[0].message.content.strip(), reply
        assert reply.usage.completion_tokens <= 8, reply

    @check("streamed chat with the local model")
    def _():
        stream = client.chat.completions.create(
            model="local-chat",
            messages=[{"role": "user", "content": "Say hello."}],
            max_tokens=8,
            stream=True,
        )
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert text.strip(), text

    @check("embeddings with the local model")
    def _():
        result = client.embeddings.create(model="local-embed", input="my card was stolen")
        vector = result.data[0].embedding
        assert len(vector) == 384, len(vector)
        norm = sum(x * x for x in vector) ** 0.5
        assert abs(norm - 1.0) < 1e-3, norm


failed = 0
for name, fn in checks:
    try:
        fn()
        print(f"ok   {name}")
    except Exception as e:  # report every check, then fail
        failed += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}")
print(f"openai {openai.__version__}: {len(checks) - failed}/{len(checks)} checks passed")
sys.exit(1 if failed else 0)
