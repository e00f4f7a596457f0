"""Indexes for the terminal's reads: what is open by date, and an obligation by its own id
(then its order's), which is how references are resolved and shortened.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_obligation_state_due", "obligation", ["state", "due"])
    op.create_index("ix_obligation_obligation_id", "obligation", ["obligation_id", "order_id"])


def downgrade() -> None:
    op.drop_index("ix_obligation_obligation_id", table_name="obligation")
    op.drop_index("ix_obligation_state_due", table_name="obligation")
