"""An index for "what is due" (due date, state), and each obligation's upstream duties.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obligation") as batch:
        batch.add_column(sa.Column("depends_on", sa.JSON(), nullable=False, server_default="[]"))
    op.create_index("ix_obligation_due_state", "obligation", ["due", "state"])


def downgrade() -> None:
    op.drop_index("ix_obligation_due_state", table_name="obligation")
    with op.batch_alter_table("obligation") as batch:
        batch.drop_column("depends_on")
