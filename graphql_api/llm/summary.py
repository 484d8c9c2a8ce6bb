"""Optional LLM summaries of a project, gated by the user's consent (the consents table).

    consent level   provider
    "none"          NoneProvider: the template summary, no network
    "local"         NoneProvider: local analysis only, no LLM at all
    "local-llm"     OllamaProvider at the configured local endpoint (never the cloud one);
                    NoneProvider when no local endpoint is configured
    "cloud"         OpenAICompatibleProvider when a cloud endpoint and key are configured,
                    else the local one, else NoneProvider
    anything else   NoneProvider: an unknown level fails closed, so a typo or a level added
                    later never sends a user's code statistics anywhere

HTTP uses the standard library (`http.client`, run in a worker thread with a timeout); it
does not consult proxy environment variables. Every low-level failure (connection, timeout,
HTTP status, malformed JSON) becomes a `SummaryError` at this boundary. `summarize_project`
never fails: on a SummaryError it logs a warning and returns the template summary. This module
does network I/O, which is why it belongs to the service and not to `mining` (ARCHITECTURE.md,
rule 8); it reads only `mining.analyze`'s frozen results.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from mining.analyze import ProjectAnalysis

log = logging.getLogger(__name__)

DRAFT_MARKER = "\n---\nDraft summary:\n"
SYSTEM_PROMPT = (
    "You write short, factual resume-style summaries of software projects. Use only the facts "
    "given. Three sentences at most, no headings, no invented numbers."
)


class ConsentLevel(StrEnum):
    NONE = "none"
    LOCAL = "local"
    LOCAL_LLM = "local-llm"
    CLOUD = "cloud"


class SummaryError(Exception):
    """An LLM endpoint could not produce a summary; the message names the URL and the cause."""


class SummaryProvider(Protocol):
    async def summarize(self, prompt: str) -> str: ...


@dataclass(frozen=True, slots=True)
class SummarySettings:
    ollama_url: str | None = None  # e.g. "http://127.0.0.1:11434"
    ollama_model: str = "llama3.2"
    openai_url: str | None = None  # e.g. "https://api.openai.com" (the /v1/... path is added)
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    timeout_s: float = 30.0


class NoneProvider:
    """No LLM: answers with the draft (template) summary that `build_prompt` put in the prompt."""

    async def summarize(self, prompt: str) -> str:
        _, found, draft = prompt.rpartition(DRAFT_MARKER)
        return draft if found else ""


class OllamaProvider:
    """POST {base}/api/generate {"model", "prompt", "system", "stream": false} -> "response"."""

    def __init__(self, base_url: str, model: str, timeout_s: float = 30.0) -> None:
        self.url = base_url.rstrip("/") + "/api/generate"
        self.model = model
        self.timeout_s = timeout_s

    async def summarize(self, prompt: str) -> str:
        body = {"model": self.model, "prompt": prompt, "system": SYSTEM_PROMPT, "stream": False}
        answer = await post_json(self.url, body, {}, self.timeout_s)
        return _field(answer, self.url, "response")


class OpenAICompatibleProvider:
    """POST {base}/v1/chat/completions with a bearer key -> choices[0].message.content."""

    def __init__(self, base_url: str, api_key: str, model: str, timeout_s: float = 30.0) -> None:
        self.url = base_url.rstrip("/") + "/v1/chat/completions"
        self.api_key = api_key
        self.model = model
        self.timeout_s = timeout_s

    async def summarize(self, prompt: str) -> str:
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt},
            ],
            "temperature": 0.2,
        }
        headers = {"Authorization": f"Bearer {self.api_key}"}
        answer = await post_json(self.url, body, headers, self.timeout_s)
        try:
            message = answer["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise SummaryError(f"POST {self.url}: no choices[0].message in the answer") from None
        return _field(message, self.url, "content")


def _field(answer: Any, url: str, name: str) -> str:
    value = answer.get(name) if isinstance(answer, dict) else None
    if not isinstance(value, str):
        raise SummaryError(f"POST {url}: the answer has no string {name!r}")
    return value


async def post_json(url: str, body: Any, headers: dict[str, str], timeout_s: float) -> Any:
    """POST a JSON body and decode the JSON answer, in a worker thread (http.client blocks)."""
    return await asyncio.to_thread(_post_json, url, body, headers, timeout_s)


def _post_json(url: str, body: Any, headers: dict[str, str], timeout_s: float) -> Any:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SummaryError(f"POST {url}: not an http(s) URL")
    conn_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = conn_type(parts.hostname, parts.port, timeout=timeout_s)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    data = json.dumps(body).encode()
    try:
        conn.request("POST", path, data, {**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as exc:  # includes timeouts and refused
        raise SummaryError(f"POST {url} failed: {exc!r}") from exc
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise SummaryError(f"POST {url} returned {response.status}: {raw[:200]!r}")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise SummaryError(f"POST {url}: the answer is not JSON: {raw[:200]!r}") from exc


def provider_for(consent_level: str, settings: SummarySettings) -> SummaryProvider:
    """The provider the consent level allows (see the module docstring's table)."""
    try:
        level = ConsentLevel(consent_level.strip().lower())
    except ValueError:
        log.info("unknown consent level %r: no LLM summary", consent_level)
        return NoneProvider()
    local: SummaryProvider = NoneProvider()
    if settings.ollama_url:
        local = OllamaProvider(settings.ollama_url, settings.ollama_model, settings.timeout_s)
    if level is ConsentLevel.LOCAL_LLM:
        return local
    if level is ConsentLevel.CLOUD:
        if settings.openai_url and settings.openai_api_key:
            return OpenAICompatibleProvider(
                settings.openai_url,
                settings.openai_api_key,
                settings.openai_model,
                settings.timeout_s,
            )
        return local
    return NoneProvider()


def build_prompt(project: ProjectAnalysis) -> str:
    """The facts an LLM may use, then the template summary as a draft (NoneProvider's answer)."""
    skills = project.user_skills or project.skills
    facts = [
        f"Project: {project.name}",
        "Skills: "
        + ", ".join(f"{s.name} ({s.level}, proficiency {s.proficiency:.2f})" for s in skills[:8]),
        f"Health: {project.health.score:g}/100",
        *(f"- {e.content}" for e in project.evidence if e.source in ("git_history", "file_tree")),
    ]
    return (
        "Summarise this project for a resume.\n" + "\n".join(facts) + DRAFT_MARKER + project.summary
    )


async def summarize_project(project: ProjectAnalysis, provider: SummaryProvider) -> str:
    """The provider's summary, or the template summary when the provider fails or says nothing."""
    try:
        text = await provider.summarize(build_prompt(project))
    except SummaryError as exc:
        log.warning("LLM summary of %s failed, using the template: %s", project.path, exc)
        return project.summary
    return text.strip() or project.summary
