"""Feed stamps: each scope's current ETag and the Last-Modified every serve process gives it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feed_stamp",
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=False),
        sa.Column("modified", instant, nullable=False),
        sa.PrimaryKeyConstraint("scope", name="pk_feed_stamp"),
    )


def downgrade() -> None:
    op.drop_table("feed_stamp")
