"""The docket: cases, order versions, obligations, people, assignments, facts, history.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("court", sa.String(), nullable=False),
        sa.Column("created_at", instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case"),
    )
    op.create_table(
        "order_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("court", sa.String(), nullable=False),
        sa.Column("entered", sa.Date(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("loaded_at", instant, nullable=False),
        sa.Column("loaded_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_order_version_case_id_case"),
        sa.PrimaryKeyConstraint("id", name="pk_order_version"),
        sa.UniqueConstraint("case_id", "order_id", "version", name="uq_order_version_case_id"),
    )
    op.create_index("ix_order_version_case_id", "order_version", ["case_id"])
    op.create_table(
        "obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("obligation_id", sa.String(), nullable=False),
        sa.Column("court", sa.String(), nullable=False),
        sa.Column("party", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cite", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("when_text", sa.String(), nullable=False),
        sa.Column("consequence", sa.String(), nullable=False),
        sa.Column("condition", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("due_at", instant, nullable=True),
        sa.Column("safe_due", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("late_by", sa.Integer(), nullable=True),
        sa.Column("waiting_on", sa.JSON(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("readings", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("amendments", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", instant, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_obligation_case_id_case"),
        sa.PrimaryKeyConstraint("id", name="pk_obligation"),
        sa.UniqueConstraint("ref", name="uq_obligation_ref"),
        sa.UniqueConstraint("uid", name="uq_obligation_uid"),
    )
    op.create_index("ix_obligation_case_id", "obligation", ["case_id"])
    op.create_index("ix_obligation_party", "obligation", ["party"])
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("created_at", instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        sa.UniqueConstraint("email", name="uq_person_email"),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("party", sa.String(), nullable=True),
        sa.Column("obligation_ref", sa.String(), nullable=True),
        sa.Column("created_at", instant, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_assignment_case_id_case"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_assignment_person_id_person"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assignment"),
    )
    op.create_index("ix_assignment_case_id", "assignment", ["case_id"])
    op.create_index("ix_assignment_person_id", "assignment", ["person_id"])
    op.create_table(
        "fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=True),
        sa.Column("court", sa.String(), nullable=True),
        sa.Column("order_id", sa.String(), nullable=True),
        sa.Column("obligation_id", sa.String(), nullable=True),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("at", instant, nullable=True),
        sa.Column("by_period", sa.String(), nullable=True),
        sa.Column("occurrence", sa.String(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("supersedes", sa.Integer(), nullable=True),
        sa.Column("recorded_at", instant, nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_fact_case_id_case"),
        sa.PrimaryKeyConstraint("id", name="pk_fact"),
    )
    op.create_index("ix_fact_kind", "fact", ["kind"])
    op.create_index("ix_fact_case_id", "fact", ["case_id"])
    op.create_index("ix_fact_court", "fact", ["court"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", instant, nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=True),
        sa.Column("ref", sa.String(), nullable=True),
        sa.Column("why", sa.String(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_history"),
    )
    op.create_index("ix_history_what", "history", ["what"])
    op.create_index("ix_history_case_id", "history", ["case_id"])
    op.create_index("ix_history_ref", "history", ["ref"])


def downgrade() -> None:
    for table in ("history", "fact", "assignment", "person", "obligation", "order_version", "case"):
        op.drop_table(table)
