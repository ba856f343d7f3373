"""The optional LLM rubric judge: tone and specificity as a model rates them, for eval runs and
for calibration against labelled messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assistant.drafting.brief import Brief
from assistant.drafting.prompts import PromptBook
from assistant.evals.messages import ScoredMessage
from assistant.settings import Settings


@contextmanager
def open_judge(settings: Settings, version: str = "v1") -> Iterator[Any]:
    """A `ModelJudge` over the configured backend, or None when no model is configured."""
    if settings.backend == "none":
        yield None
        return
    from assistant.drafting.llm import ModelJudge, open_chat

    prompts = PromptBook(settings.prompts_dir, version, family="judge")
    with open_chat(settings) as chat:
        yield ModelJudge(
            chat.model,
            prompts,
            name=chat.name,
            response_format=chat.response_format,
            transport_retries=settings.llm_transport_retries,
        )


def rate_all(judge: Any, items: list[dict], concurrency: int = 8) -> list[dict]:
    """The judge's rating of each item, several in flight at once."""
    from langchain_core.runnables import RunnableLambda

    if not items:
        return []
    return RunnableLambda(judge.rate).batch(items, config={"max_concurrency": concurrency})


def message_item(message: ScoredMessage) -> dict:
    c = message.context
    return {
        "first_name": c.first_name,
        "history": c.history,
        "goals": c.goals,
        "offer_name": c.offer.name,
        "offer_price": c.offer.price,
        "channel": message.channel,
        "subject": message.subject,
        "body": message.body,
    }


def draft_item(brief: Brief, subject: str, body: str) -> dict:
    """What the judge sees of a draft: the brief's own facts, nothing more."""
    history = [brief.signal, *(s.text for s in brief.snippets)]
    return {
        "first_name": brief.first_name,
        "history": [h for h in history if h][:6],
        "goals": brief.goals[:3],
        "offer_name": brief.offer.name,
        "offer_price": brief.offer.price,
        "channel": brief.channel,
        "subject": subject,
        "body": body,
    }
