"""Reminders: one row per (obligation, recipient, lead time, due date), claimed before sending.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_uid", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("lead", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("send_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=False),
        sa.Column("claimed_at", instant, nullable=True),
        sa.Column("sent_at", instant, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.Column("created_at", instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminder"),
        sa.UniqueConstraint(
            "obligation_uid", "recipient", "lead", "due", name="uq_reminder_obligation_uid"
        ),
    )
    op.create_index("ix_reminder_status_send_on", "reminder", ["status", "send_on"])


def downgrade() -> None:
    op.drop_index("ix_reminder_status_send_on", table_name="reminder")
    op.drop_table("reminder")
