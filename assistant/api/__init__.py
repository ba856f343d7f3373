"""The HTTP API (`crosssell serve`) for the booking/EHR system and any other client.

A thin edge over the review desk: it authenticates the bearer token, turns bodies into calls,
and maps errors to statuses. Canonical paths are under /v1; OpenAPI docs at /docs.
"""

from assistant.api.app import configured_app, create_app

__all__ = ["configured_app", "create_app"]

APP_FACTORY = "assistant.api:configured_app"
"""Where uvicorn's worker processes find the app (`uvicorn --factory`)."""
