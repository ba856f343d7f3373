"""Initial schema: services, patients, events, offers, outcomes, settings, embeddings.

Revision ID: 0001
Revises:
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _records()
    _events()
    _offers_and_outcomes()
    _settings_and_embeddings()


def _records() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("price", sa.Float, nullable=False),
        sa.Column("unit", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("min_age", sa.Integer),
        sa.Column("contraindications", sa.Text, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("pairs_with", sa.Text, nullable=False),
        sa.Column("offered_at", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("first_name", sa.String(200), nullable=False),
        sa.Column("last_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.String(10)),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(50)),
        sa.Column("preferred_channel", sa.String(10), nullable=False),
        sa.Column("marketing_consent", sa.Boolean, nullable=False),
        sa.Column("goals", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("memberships", sa.Text, nullable=False),
        sa.Column("segment", sa.String(100)),
        sa.Column("extra", sa.Text, nullable=False),
    )


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("patient_id", sa.String(100), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("service_id", sa.String(100)),
        sa.Column("ref_at", sa.BigInteger),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_patient_at", "events", ["patient_id", "at"])
    op.create_index(
        "ix_events_ref_at",
        "events",
        ["ref_at"],
        sqlite_where=sa.text("ref_at IS NOT NULL"),
        postgresql_where=sa.text("ref_at IS NOT NULL"),
    )
    op.create_index(
        "ix_events_opted_out",
        "events",
        ["patient_id"],
        sqlite_where=sa.text("kind = 'opted_out'"),
        postgresql_where=sa.text("kind = 'opted_out'"),
    )


def _offers_and_outcomes() -> None:
    for name in ("offers", "outcomes"):
        columns: list[sa.Column[Any]] = [
            sa.Column("id", sa.String(200), primary_key=True),
            sa.Column("patient_id", sa.String(100), sa.ForeignKey("patients.id"), nullable=False),
            sa.Column("service_id", sa.String(100), nullable=False),
        ]
        if name == "offers":
            columns += [
                sa.Column("moment", sa.String(40), nullable=False),
                sa.Column("channel", sa.String(10)),
            ]
        else:
            columns += [sa.Column("accepted", sa.Boolean, nullable=False)]
        columns += [
            sa.Column("at", sa.BigInteger, nullable=False),
            sa.Column("data", sa.Text, nullable=False),
        ]
        op.create_table(name, *columns)
        op.create_index(f"ix_{name}_patient_at", name, ["patient_id", "at"])


def _settings_and_embeddings() -> None:
    op.create_table(
        "practice_settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "embeddings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for name in ("embeddings", "practice_settings", "outcomes", "offers", "events", "patients", "services"):
        op.drop_table(name)
