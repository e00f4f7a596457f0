"""Indexes for a person's duties (the desk's agenda and calendar, ``upcoming --person``): the
duties of a case by state and due date, and a person's assignment in a case.

The reads go through the person's cases (``obligations.store.read.duties_from``): with the
case, the state and the due date in one index, each case gives only the rows of the state and
window asked for, not every duty of the case; and whether the person holds the duty is one
look-up of (case, person), not a read of all the person's assignments (SQLite takes the
person's index for it when the docket has never been analysed).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_obligation_case_state_due", "obligation", ["case_id", "state", "due"])
    op.create_index("ix_assignment_case_person", "assignment", ["case_id", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_assignment_case_person", table_name="assignment")
    op.drop_index("ix_obligation_case_state_due", table_name="obligation")
