"""``Resolved.render`` builds the call the server's renderer (``PromptRenderer``) builds."""

import pytest

from promptcanary import Arm, PromptVersion, Resolved


def resolved_with(system_prompt, few_shot, template, parameters=None):
    version = PromptVersion.from_json(
        {
            "prompt": "p",
            "version": 1,
            "contentHash": "sha256:x",
            "content": {
                "systemPrompt": system_prompt,
                "fewShot": [{"user": u, "assistant": a} for u, a in few_shot],
                "template": template,
                "model": "sim-model",
                "parameters": parameters or {},
            },
            "somethingNewer": True,
        }
    )
    return Resolved("p", 1, Arm.STABLE, 0, 0, None, False, False, None, version, "u")


def test_render_is_system_prompt_then_few_shot_turns_then_the_filled_template():
    r = resolved_with(
        "You are concise.",
        [("hi", "hello"), ("a $1 \\ b", "ok")],
        "Customer {{name}} asks: {{ question }} ({{name}}) {{unknown-not-a-var}}",
        {"temperature": 0.2},
    )
    call = r.render({"name": "Ana $2 \\x", "question": "where is {{name}}?"})
    assert call.model == "sim-model"
    assert call.parameters == {"temperature": 0.2}
    assert [(m.role, m.content) for m in call.messages] == [
        ("system", "You are concise."),
        ("user", "hi"),
        ("assistant", "hello"),
        ("user", "a $1 \\ b"),
        ("assistant", "ok"),
        # Values go in as they are (no backreferences, no second pass); a non-variable stays.
        ("user", "Customer Ana $2 \\x asks: where is {{name}}? (Ana $2 \\x) {{unknown-not-a-var}}"),
    ]
    assert call.openai_messages()[0] == {"role": "system", "content": "You are concise."}


def test_an_empty_system_prompt_is_left_out():
    call = resolved_with("", [], "Hi {{name}}").render({"name": "Bo"})
    assert [(m.role, m.content) for m in call.messages] == [("user", "Hi Bo")]


def test_a_missing_variable_is_named():
    with pytest.raises(ValueError, match="'name'"):
        resolved_with("", [], "Hi {{name}}").render({})


def test_only_javas_whitespace_is_allowed_inside_the_braces():
    # U+00A0 is whitespace to Python's \s but not to Java's: the server leaves it unfilled.
    assert resolved_with("", [], "{{\u00a0name}} {{\tname }}").fill({"name": "x"}) == "{{\u00a0name}} x"
