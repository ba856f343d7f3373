"""Tables. Times are UTC epoch seconds (BIGINT): compact, fast to compare, the same everywhere."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from assistant.domain.review import UNSENT

metadata = MetaData()

services = Table(
    "services",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100), nullable=False, default=""),
    Column("price", Float, nullable=False),
    Column("unit", String(50), nullable=False, default=""),
    Column("kind", String(20), nullable=False, default="treatment"),
    Column("min_age", Integer),
    Column("contraindications", Text, nullable=False, default="[]"),
    Column("next_steps", Text, nullable=False, default="[]"),
    Column("pairs_with", Text, nullable=False, default="[]"),
    Column("offered_at", Text, nullable=False, default="[]"),
    Column("description", Text, nullable=False, default=""),
    Column("sensitive", Boolean, nullable=False, default=False),
    Column("aliases", Text, nullable=False, default="[]"),
    Column("extra", Text, nullable=False, default="{}"),
)

patients = Table(
    "patients",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False, default=""),
    Column("birth_date", String(10)),
    Column("email", String(320)),
    Column("phone", String(50)),
    Column("preferred_channel", String(10), nullable=False, default="email"),
    Column("marketing_consent", Boolean, nullable=False, default=False),
    Column("goals", Text, nullable=False, default="[]"),
    Column("flags", Text, nullable=False, default="[]"),
    Column("memberships", Text, nullable=False, default="[]"),
    Column("segment", String(100)),
    Column("time_zone", String(100)),
    Column("extra", Text, nullable=False, default="{}"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("patient_id", String(100), ForeignKey("patients.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("service_id", String(100)),
    Column("ref_at", BigInteger),
    Column("data", Text, nullable=False, default="{}"),
    # The scan finds patients with recent activity, then reads each one's history in order.
    Index("ix_events_at", "at"),
    Index("ix_events_patient_at", "patient_id", "at"),
)
# Only appointments and renewals carry a future date: a partial index keeps other writes cheap.
Index(
    "ix_events_ref_at",
    events.c.ref_at,
    sqlite_where=events.c.ref_at.isnot(None),
    postgresql_where=events.c.ref_at.isnot(None),
)
# Consent outlives the scan window: a patient without a recent signal is still checked for an
# opt-out (and an opt-in after it), and every import reads the consent ledger whole.
Index(
    "ix_events_consent",
    events.c.patient_id,
    sqlite_where=events.c.kind.in_(["opted_out", "opted_in"]),
    postgresql_where=events.c.kind.in_(["opted_out", "opted_in"]),
)

offers = Table(
    "offers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("patient_id", String(100), ForeignKey("patients.id"), nullable=False),
    Column("service_id", String(100), nullable=False),
    Column("moment", String(40), nullable=False),
    Column("channel", String(10)),
    Column("at", BigInteger, nullable=False),
    Column("data", Text, nullable=False, default="{}"),
    Index("ix_offers_patient_at", "patient_id", "at"),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("patient_id", String(100), ForeignKey("patients.id"), nullable=False),
    Column("service_id", String(100), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("data", Text, nullable=False, default="{}"),
    Index("ix_outcomes_patient_at", "patient_id", "at"),
)

practice_settings = Table(
    "practice_settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("model", String(100), nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("patient_id", String(100), nullable=False),
    Column("as_of", String(10), nullable=False),
    Column("moment", String(40), nullable=False),
    Column("offer", String(100), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("drafter", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("record", Text, nullable=False),
    # Each change bumps the version; a write naming an older one is refused (optimistic locking).
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", BigInteger),
    Index("ix_drafts_as_of", "as_of"),
    Index("ix_drafts_patient", "patient_id", "created_at"),
)
UNSENT_STATUSES = tuple(sorted(status.value for status in UNSENT))
_UNSENT_SQL = text("status IN (" + ", ".join(f"'{s}'" for s in UNSENT_STATUSES) + ")")
# One open draft per patient, enforced by the database so two requests at once cannot race.
Index(
    "ux_drafts_open_patient",
    drafts.c.patient_id,
    unique=True,
    sqlite_where=_UNSENT_SQL,
    postgresql_where=_UNSENT_SQL,
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(40), primary_key=True),  # the message id: delivery is idempotent on it
    Column("draft_id", String(40), nullable=False),
    Column("draft_version", Integer, nullable=False),
    Column("patient_id", String(100), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("state", String(10), nullable=False),  # queued, sending, delivered, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("lease_until", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger),
    Column("receipt", Text),
    Column("error", Text),
    Column("carrier_state", String(20)),  # what the SMS provider last reported (Twilio's callback)
    Column("message", Text, nullable=False),  # address, subject and body as sent
    Index("ix_outbox_due", "state", "next_attempt_at"),
    Index("ix_outbox_draft", "draft_id"),
)

contact_slots = Table(
    "contact_slots",
    metadata,
    # One row per patient: the last message that claimed their cooldown. A send claims it with
    # a conditional write, so two sends at once cannot both reach the patient.
    Column("patient_id", String(100), primary_key=True),
    Column("message_id", String(40), nullable=False),
    Column("claimed_at", BigInteger, nullable=False),
    Column("released", Boolean, nullable=False, default=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", BigInteger, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    Column("last_used_at", BigInteger),
    Index("ix_tokens_user", "user_id"),
)

login_failures = Table(
    "login_failures",
    metadata,
    # One row per account (`user:<id>`) or client address (`address:<host>`) with recent failed
    # logins: kept in the database, so every server process counts the same failures.
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("since", BigInteger, nullable=False),
    Column("locked_until", BigInteger),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("draft_id", String(40)),
    Column("patient_id", String(100)),
    Column("detail", Text, nullable=False, default="{}"),
    # The chain (domain.audit): the seal of the entry before, and this entry's own.
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_draft", "draft_id", "id"),
    Index("ix_audit_patient", "patient_id", "id"),
)

audit_head = Table(
    "audit_head",
    metadata,
    # One row: how many entries the log holds and the last one's seal. A log cut short, or
    # dropped and made again, falls short of it.
    Column("id", Integer, primary_key=True),
    Column("entries", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)
