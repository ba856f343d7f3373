"""Prompt evals: scorers over drafts and arbitrary messages, eval cases and runs, reports."""
