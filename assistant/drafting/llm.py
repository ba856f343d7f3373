"""The one module that talks to a language model: a chat model behind LangChain's interface
(OpenAI-compatible by default: OpenAI, Azure OpenAI, vLLM, Ollama, a llama.cpp server) and the
drafting chain built on it: render the prompt files, call the model with retries, parse JSON."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ValidationError

from assistant.drafting.brief import Brief, Source
from assistant.drafting.content import DraftContent, GuardResult, Usage
from assistant.drafting.drafters import Written
from assistant.drafting.prompts import PromptBook
from assistant.drafting.wording import signature
from assistant.errors import ConfigurationError
from assistant.settings import Settings

TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    openai.APIConnectionError,
    openai.APITimeoutError,
    openai.RateLimitError,
    openai.InternalServerError,
)
SCHEMA = {
    "type": "object",
    "properties": {
        "subject": {"type": "string"},
        "body": {"type": "string"},
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "source": {"type": "string"}},
                "required": ["text", "source"],
            },
        },
    },
    "required": ["subject", "body", "facts"],
}
RESPONSE_FORMATS: dict[str, dict | None] = {
    "json_object": {"type": "json_object"},
    "json_schema": {
        "type": "json_schema",
        "json_schema": {"name": "draft", "schema": SCHEMA, "strict": False},
    },
    # llama.cpp's server constrains generation to a schema given beside json_object
    "schema_object": {"type": "json_object", "schema": SCHEMA},
    "off": None,
}


def openai_chat(
    settings: Settings, *, base_url: str | None = None, model: str | None = None, timeout: float | None = None
) -> BaseChatModel:
    """An OpenAI-compatible chat model. Transport retries are ours (with backoff), not the
    client's, so that every retry is visible to the chain."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(
        model=model or settings.model,
        base_url=base_url or settings.openai_base_url,
        api_key=key,
        timeout=timeout or settings.llm_timeout,
        max_retries=0,
        max_tokens=settings.max_output_tokens,
        temperature=0.3,
    )


@dataclass(frozen=True, slots=True)
class Chat:
    """A configured chat model, what to call it, and the JSON mode its server understands."""

    model: BaseChatModel
    name: str
    response_format: str


@contextmanager
def open_chat(settings: Settings) -> Iterator[Chat]:
    """The configured backend's chat model for as long as the block runs: an
    OpenAI-compatible client for `openai`, the bundled model on a loopback llama.cpp server
    for `local` (started here, stopped at the end). `none` has no chat model to open."""
    backend = settings.backend
    if backend == "none":
        raise ConfigurationError("no model is configured (CROSSSELL_LLM=none)")
    if backend == "openai":
        yield Chat(openai_chat(settings), f"openai:{settings.model}", settings.json_mode)
        return
    from assistant.drafting.local_server import MODEL_ALIAS, LocalModelServer

    with LocalModelServer(settings.local_model_path, threads=settings.local_threads) as url:
        yield Chat(
            openai_chat(settings, base_url=url, model=MODEL_ALIAS, timeout=settings.local_timeout),
            f"local:{MODEL_ALIAS}",
            "schema_object",
        )


class ModelDrafter:
    """A `Drafter` over any LangChain chat model."""

    def __init__(
        self,
        chat: BaseChatModel,
        prompts: PromptBook,
        *,
        name: str,
        opt_out: str,
        response_format: str = "json_object",
        transport_retries: int = 3,
    ) -> None:
        self.name = name
        self.prompts = prompts
        self.opt_out = opt_out
        bound: Runnable = chat
        if (fmt := RESPONSE_FORMATS[response_format]) is not None:
            bound = chat.bind(response_format=fmt)
        if transport_retries > 1:
            bound = bound.with_retry(
                retry_if_exception_type=TRANSPORT_ERRORS,
                stop_after_attempt=transport_retries,
                wait_exponential_jitter=True,
            )
        self.chain: Runnable = RunnableLambda(self.messages) | bound
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak_in_flight = 0

    def messages(self, request: dict[str, Any]) -> list[BaseMessage]:
        """System rules, the brief's facts (patient text fenced as data), and on a re-ask the
        previous answer with the guards' findings."""
        brief: Brief = request["brief"]
        context = self.context(brief)
        messages: list[BaseMessage] = [
            SystemMessage(self.prompts.render("system.j2", **context)),
            HumanMessage(self._asked(brief, context)),
        ]
        previous: Written | None = request.get("previous")
        feedback: list[GuardResult] | None = request.get("feedback")
        if previous is not None and feedback:
            messages.append(AIMessage(previous.raw or "(no answer)"))
            messages.append(HumanMessage(self.prompts.render("reask.j2", failures=feedback)))
        return messages

    def _asked(self, brief: Brief, context: dict[str, Any]) -> str:
        """The request for the message; on a regeneration, with the old text to word anew."""
        asked = self.prompts.render(f"{brief.channel}.j2", **context)
        if brief.reword_from.strip():
            asked += "\n\n" + self.prompts.render("reword.j2", previous=brief.reword_from)
        return asked

    def context(self, brief: Brief) -> dict[str, Any]:
        """Only what the draft needs: no patient id, last name, birth date or contact details.
        Sources are shown by short labels (R1, K1), so no record id reaches the model."""
        labels = source_labels(brief)

        def shown(sources: list[Source]) -> list[Source]:
            return [replace(s, id=labels[s.id]) for s in sources]

        return {
            "first_name": brief.first_name,
            "moment": brief.moment.value,
            "moment_label": brief.moment.label,
            "channel": brief.channel,
            "treatments": brief.treatments,
            "goals": brief.goals[:3],
            "change": brief.change if brief.channel == "email" else "",  # an SMS may not say it
            "signal": brief.signal,
            "signal_source": labels[brief.signal_source],
            "snippets": shown(brief.snippets),
            "passages": shown(brief.offer.passages),
            "offer": brief.offer,
            "opt_out": self.opt_out,
            "practice": brief.practice,
            "signature": signature(brief.coordinator, brief.practice),
            "booking_url": brief.booking_url,
            "sensitive": brief.sensitive,
        }

    def write(
        self, brief: Brief, feedback: list[GuardResult] | None = None, previous: Written | None = None
    ) -> Written:
        self._enter()
        try:
            message = self.chain.invoke({"brief": brief, "feedback": feedback, "previous": previous})
        except openai.APIError as exc:
            return Written(
                None, error=f"model unavailable: {type(exc).__name__}: {exc}", transport_failed=True
            )
        finally:
            self._leave()
        raw = message.content if isinstance(message.content, str) else str(message.content)
        content, error = parse(raw)
        if content is not None:
            ids = {label: real for real, label in source_labels(brief).items()}
            for fact in content.facts:
                fact.source = ids.get(fact.source.strip(), fact.source)
        return Written(content, usage=_usage(message), error=error, raw=raw)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


def source_labels(brief: Brief) -> dict[str, str]:
    """Record id -> R1, R2...; knowledge id -> K1, K2... (the same for every call on a brief)."""
    record = dict.fromkeys([brief.signal_source, *(s.id for s in brief.snippets)])
    labels = {real: f"R{n}" for n, real in enumerate(record, 1)}
    labels.update({p.id: f"K{n}" for n, p in enumerate(brief.offer.passages, 1)})
    return labels


def parse(raw: str) -> tuple[DraftContent | None, str | None]:
    """The model's JSON answer as a `DraftContent`, or the reason it is not one. Raw line breaks
    inside a string are accepted: models write a letter's paragraphs that way, and nothing is lost
    by reading them as the "\\n" they mean."""
    text = re.sub(r"^```(?:json)?|```$", "", raw.strip(), flags=re.MULTILINE).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None, "the answer is not JSON"
    try:
        value = json.loads(text[start : end + 1], strict=False)
    except json.JSONDecodeError as exc:
        return None, f"the answer is not valid JSON ({exc.msg} at character {exc.pos})"
    try:
        return DraftContent.model_validate(value), None
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()[:3])
        return None, f"the answer does not match the draft schema ({where})"


def _usage(message: BaseMessage) -> Usage:
    metadata = getattr(message, "usage_metadata", None) or {}
    return Usage(
        prompt_tokens=int(metadata.get("input_tokens", 0) or 0),
        completion_tokens=int(metadata.get("output_tokens", 0) or 0),
    )


JUDGE_SCALE = range(1, 6)


class ModelJudge:
    """Rates a message's tone and specificity on the rubric in `prompts/judge/<version>/`,
    for eval runs and for calibrating the deterministic scorers."""

    def __init__(
        self,
        chat: BaseChatModel,
        prompts: PromptBook,
        *,
        name: str,
        response_format: str = "json_object",
        transport_retries: int = 3,
    ) -> None:
        self.name = name
        self.prompts = prompts
        bound: Runnable = chat
        if response_format != "off":
            bound = chat.bind(response_format={"type": "json_object"})
        if transport_retries > 1:
            bound = bound.with_retry(
                retry_if_exception_type=TRANSPORT_ERRORS,
                stop_after_attempt=transport_retries,
                wait_exponential_jitter=True,
            )
        self.chain: Runnable = RunnableLambda(self.messages) | bound

    def messages(self, item: dict[str, Any]) -> list[BaseMessage]:
        return [
            SystemMessage(self.prompts.render("system.j2")),
            HumanMessage(self.prompts.render("rubric.j2", **item)),
        ]

    def rate(self, item: dict[str, Any]) -> dict[str, Any]:
        """{"tone", "specificity"} in [0, 1] (1 = calm, specific) and "reason"; or "error"."""
        try:
            message = self.chain.invoke(item)
        except openai.APIError as exc:
            return {"error": f"judge unavailable: {type(exc).__name__}: {exc}"}
        raw = message.content if isinstance(message.content, str) else str(message.content)
        return parse_rating(raw)


def parse_rating(raw: str) -> dict[str, Any]:
    text = re.sub(r"^```(?:json)?|```$", "", raw.strip(), flags=re.MULTILINE).strip()
    start, end = text.find("{"), text.rfind("}")
    try:
        value = json.loads(text[start : end + 1], strict=False) if 0 <= start < end else None
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        return {"error": "the judge's answer is not JSON"}
    rating: dict[str, Any] = {"reason": str(value.get("reason", ""))[:300]}
    for key in ("tone", "specificity"):
        try:
            number = round(float(value.get(key)))  # type: ignore[arg-type]  # None: TypeError
        except (TypeError, ValueError):
            return {"error": f"the judge gave no {key} score"}
        if number not in JUDGE_SCALE:
            return {"error": f"the judge's {key} score {number} is not 1-5"}
        rating[key] = (number - 1) / 4
    return rating
