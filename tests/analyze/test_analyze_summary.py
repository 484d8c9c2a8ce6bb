"""The LLM summary providers against a real HTTP server on 127.0.0.1, gated by consent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from graphql_api.llm.summary import (
    NoneProvider,
    OllamaProvider,
    OpenAICompatibleProvider,
    SummarySettings,
    build_prompt,
    provider_for,
    summarize_project,
)
from mining.analyze import ProjectAnalysis, analyze_portfolio
from mining.records import Identity
from tests.analyze.analyze_factory import NOW, USER, history, report, share, user_stats


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeLLM:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    status: int = 200


def _handler(llm: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            llm.requests.append(Recorded(self.path, dict(self.headers), json.loads(raw)))
            if self.path == "/api/generate":
                answer: Any = {"model": "m", "response": "Local model summary.", "done": True}
            else:
                answer = {"choices": [{"message": {"role": "assistant", "content": "Cloud text."}}]}
            data = json.dumps(answer).encode()
            self.send_response(llm.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    fake = FakeLLM(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def project() -> ProjectAnalysis:
    h = history(total=12, user=user_stats(commits=12))
    analysis = analyze_portfolio(
        [report("api", history=h, shares=[share("Python", 9000, 100.0)])],
        Identity.of(USER),
        now=NOW,
    )
    return analysis.projects[0]


def _settings(url: str) -> SummarySettings:
    return SummarySettings(
        ollama_url=url,
        ollama_model="llama3.2",
        openai_url=url,
        openai_api_key="sk-test",
        openai_model="gpt-test",
        timeout_s=5,
    )


async def test_cloud_consent_sends_the_prompt_and_uses_the_answer(
    llm: FakeLLM, project: ProjectAnalysis
) -> None:
    provider = provider_for("cloud", _settings(llm.url))
    assert isinstance(provider, OpenAICompatibleProvider)

    text = await summarize_project(project, provider)

    assert text == "Cloud text."
    [request] = llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body["model"] == "gpt-test"
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
    assert request.body["messages"][1]["content"] == build_prompt(project)


async def test_local_llm_consent_uses_the_ollama_endpoint(
    llm: FakeLLM, project: ProjectAnalysis
) -> None:
    provider = provider_for("local-llm", _settings(llm.url))
    assert isinstance(provider, OllamaProvider)

    text = await summarize_project(project, provider)

    assert text == "Local model summary."
    [request] = llm.requests
    assert request.path == "/api/generate"
    assert "Authorization" not in request.headers
    assert request.body["stream"] is False
    assert request.body["model"] == "llama3.2"
    assert request.body["prompt"] == build_prompt(project)


@pytest.mark.parametrize("level", ["none", "local", "LOCAL", "", "cloudy", "admin"])
async def test_other_consent_levels_never_reach_the_network(
    llm: FakeLLM, project: ProjectAnalysis, level: str
) -> None:
    provider = provider_for(level, _settings(llm.url))

    text = await summarize_project(project, provider)

    assert isinstance(provider, NoneProvider)
    assert text == project.summary
    assert llm.requests == []


async def test_cloud_without_a_key_falls_back_to_the_local_endpoint(llm: FakeLLM) -> None:
    settings = SummarySettings(ollama_url=llm.url, openai_url="http://198.51.100.1")
    assert isinstance(provider_for("cloud", settings), OllamaProvider)


def test_local_llm_without_an_endpoint_has_no_provider() -> None:
    assert isinstance(provider_for("local-llm", SummarySettings()), NoneProvider)


async def test_provider_error_falls_back_to_the_template(
    llm: FakeLLM, project: ProjectAnalysis, caplog: pytest.LogCaptureFixture
) -> None:
    llm.status = 500

    text = await summarize_project(project, provider_for("cloud", _settings(llm.url)))

    assert text == project.summary
    assert len(llm.requests) == 1
    assert "returned 500" in caplog.text


async def test_unreachable_endpoint_falls_back_to_the_template(project: ProjectAnalysis) -> None:
    # Port 9 on loopback (discard) has no listener here: the connection is refused at once.
    provider = OllamaProvider("http://127.0.0.1:9", "m", timeout_s=2)
    assert await summarize_project(project, provider) == project.summary


async def test_none_provider_returns_the_template_summary(project: ProjectAnalysis) -> None:
    assert await NoneProvider().summarize(build_prompt(project)) == project.summary
    assert await NoneProvider().summarize("no draft here") == ""
