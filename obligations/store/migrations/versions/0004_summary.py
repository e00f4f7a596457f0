"""Each obligation's summary: the duty in a few words, for agendas and calendar titles.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obligation") as batch:
        batch.add_column(sa.Column("summary", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("obligation") as batch:
        batch.drop_column("summary")
