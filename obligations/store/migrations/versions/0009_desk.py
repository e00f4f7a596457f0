"""The desk (issue 16): people's passwords (argon2 hashes), signed-in sessions, and failed
sign-ins for throttling.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "password",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("set_at", instant, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_password_person_id_person"),
        sa.PrimaryKeyConstraint("person_id", name="pk_password"),
    )
    op.create_table(
        "desk_session",
        sa.Column("id_hash", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(), nullable=False),
        sa.Column("created_at", instant, nullable=False),
        sa.Column("seen_at", instant, nullable=False),
        sa.Column("expires_at", instant, nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_desk_session_person_id_person"
        ),
        sa.PrimaryKeyConstraint("id_hash", name="pk_desk_session"),
    )
    op.create_index("ix_desk_session_person_id", "desk_session", ["person_id"], unique=False)
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("at", instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_failure"),
    )
    op.create_index("ix_sign_in_failure_email_at", "sign_in_failure", ["email", "at"])
    op.create_index("ix_sign_in_failure_address_at", "sign_in_failure", ["address", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failure_address_at", table_name="sign_in_failure")
    op.drop_index("ix_sign_in_failure_email_at", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index("ix_desk_session_person_id", table_name="desk_session")
    op.drop_table("desk_session")
    op.drop_table("password")
