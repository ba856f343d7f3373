"""Rows of the drafts table as a database holds them, for storage tests below the service."""

from __future__ import annotations

import orjson


def stored_draft(draft_id: str, created_at: int, status: str = "drafted") -> dict:
    return {
        "id": draft_id,
        "patient_id": "p1",
        "as_of": "2026-11-24",
        "moment": "booking",
        "offer": "hydrafacial",
        "channel": "email",
        "drafter": "template",
        "status": status,
        "passed": True,
        "created_at": created_at,
        "record": orjson.dumps({"id": draft_id, "status": status}).decode(),
    }


def refuse_writes(engine, table: str, message: str, when: str = "TRUE", on: str = "INSERT") -> None:
    """Makes the database itself turn some writes of `table` down (`when`: a condition on NEW),
    as a constraint, a full disk or a lock would: a trigger in the dialect's own syntax."""
    name = f"refuse_{table}_{on.lower()}"
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            condition = "" if when == "TRUE" else f" WHEN {when}"
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE {on} ON {table}{condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            return
        conn.exec_driver_sql(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {name} BEFORE {on} ON {table} FOR EACH ROW WHEN ({when}) "
            f"EXECUTE FUNCTION {name}()"
        )
