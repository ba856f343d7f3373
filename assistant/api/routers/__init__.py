"""One router per resource; `assistant.api.app` serves each under /v1 and at its old path."""
