"""The completed order language (issue 14): how facts were served, conditions met or not, the
end of a timed appearance, the day a duty waiting on a default opens, review flags, the order's
words a due rule was read from, and amendments held for an order not loaded yet.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("fact") as batch:
        batch.add_column(sa.Column("service", sa.String(), nullable=True))
        batch.add_column(sa.Column("met", sa.Boolean(), nullable=True))
    with op.batch_alter_table("obligation") as batch:
        batch.add_column(sa.Column("end_at", instant, nullable=True))
        batch.add_column(sa.Column("opens_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("review", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("source_text", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "pending_amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("target_order", sa.String(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("held_since", instant, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_pending_amendment_case_id_case"),
        sa.PrimaryKeyConstraint("id", name="pk_pending_amendment"),
    )
    op.create_index("ix_pending_amendment_case_id", "pending_amendment", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pending_amendment_case_id", table_name="pending_amendment")
    op.drop_table("pending_amendment")
    with op.batch_alter_table("obligation") as batch:
        batch.drop_column("source_text")
        batch.drop_column("review")
        batch.drop_column("opens_on")
        batch.drop_column("end_at")
    with op.batch_alter_table("fact") as batch:
        batch.drop_column("met")
        batch.drop_column("service")
