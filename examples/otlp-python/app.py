"""An app instrumented with the OpenTelemetry Python SDK, reporting to promptcanary by OTLP alone.

Each session resolves the version of prompt PROMPT it is served (GET /v1/prompts/{name}/resolve), makes a few
chat calls with it, and records each call as a GenAI span carrying promptcanary.prompt, promptcanary.version and
session.id; a judge's score rides on the span as a gen_ai.evaluation.result event. The SDK's OTLP/HTTP exporter
sends the spans straight to promptcanary's POST /v1/otlp/v1/traces with the API key as a header: nothing else is
reported. The model is any OpenAI-compatible endpoint at MODEL_BASE_URL (e.g. promptcanary's simulator), or, when
that is unset, a stand-in that answers at once.

    pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
    PROMPTCANARY_URL=http://localhost:8080 PROMPTCANARY_API_KEY=<client key> python3 app.py
"""

import json
import os
import random
import sys
import time
import urllib.parse
import urllib.request

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

URL = os.environ.get("PROMPTCANARY_URL", "http://localhost:8080").rstrip("/")
KEY = os.environ["PROMPTCANARY_API_KEY"]
PROMPT = os.environ.get("PROMPT", "support")
SESSIONS = int(os.environ.get("SESSIONS", "5"))
MODEL_BASE_URL = os.environ.get("MODEL_BASE_URL")


def get_json(url, headers):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as reply:
        return json.load(reply)


def chat(model, messages):
    """One chat completion: (text, input tokens, output tokens, model that answered)."""
    if not MODEL_BASE_URL:
        time.sleep(0.01)
        return "Let me look that up for you.", 42, 12, model
    body = json.dumps({"model": model, "messages": messages}).encode()
    request = urllib.request.Request(MODEL_BASE_URL.rstrip("/") + "/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        answer = json.load(reply)
    usage = answer.get("usage", {})
    return (answer["choices"][0]["message"]["content"], usage.get("prompt_tokens", 0),
            usage.get("completion_tokens", 0), answer.get("model", model))


def main():
    provider = TracerProvider(resource=Resource.create({"service.name": "support-app"}))
    exporter = OTLPSpanExporter(endpoint=URL + "/v1/otlp/v1/traces",
                                headers={"Authorization": "Bearer " + KEY})
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracer = provider.get_tracer("support-app")
    auth = {"Authorization": "Bearer " + KEY}
    calls = 0
    for s in range(SESSIONS):
        session = "py-session-%d-%d" % (s, random.randrange(10**6))
        served = get_json("%s/v1/prompts/%s/resolve?unit=%s" % (URL, PROMPT, urllib.parse.quote(session)), auth)
        content = served["content"]["content"]
        for turn in range(3):
            question = "Where is my order? (turn %d)" % turn
            messages = [{"role": "system", "content": content["systemPrompt"]},
                        {"role": "user", "content": content["template"].replace("{{question}}", question)}]
            with tracer.start_as_current_span("chat " + content["model"], kind=trace.SpanKind.CLIENT) as span:
                span.set_attribute("gen_ai.operation.name", "chat")
                span.set_attribute("gen_ai.request.model", content["model"])
                span.set_attribute("promptcanary.prompt", PROMPT)
                span.set_attribute("promptcanary.version", served["version"])
                span.set_attribute("session.id", session)
                text, input_tokens, output_tokens, model = chat(content["model"], messages)
                span.set_attribute("gen_ai.response.model", model)
                span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
                span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
                span.add_event("gen_ai.evaluation.result", {"gen_ai.evaluation.name": "example-judge",
                                                            "gen_ai.evaluation.score.value": 0.8})
            calls += 1
    # flushes the batch processor: every span is exported before the app exits
    provider.shutdown()
    print("reported %d calls in %d sessions as OTLP spans" % (calls, SESSIONS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
