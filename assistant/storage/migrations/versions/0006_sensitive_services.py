"""Services say whether they are sensitive (weight, hormones, prescription programs): such care
is never named in a subject line or an SMS. Stored services get the default rule.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from assistant.domain.contract import default_sensitive

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("services", sa.Column("sensitive", sa.Boolean, nullable=False, server_default=sa.false()))
    services = sa.table(
        "services",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("category", sa.String),
        sa.column("kind", sa.String),
        sa.column("description", sa.Text),
        sa.column("sensitive", sa.Boolean),
    )
    connection = op.get_bind()
    c = services.c
    rows = connection.execute(sa.select(c.id, c.name, c.category, c.kind, c.description))
    wanted = [r.id for r in rows if default_sensitive(r.name, r.category, r.kind, r.description)]
    if wanted:
        connection.execute(services.update().where(services.c.id.in_(wanted)).values(sensitive=True))


def downgrade() -> None:
    op.drop_column("services", "sensitive")
