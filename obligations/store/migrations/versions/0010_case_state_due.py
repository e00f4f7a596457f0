"""Indexes for a person's duties (the desk's agenda and calendar, ``upcoming --person``): the
duties of a case by state and due date, and a person's assignments by case.

The reads go through the person's cases (``obligations.store.read.duties_from``): the person's
assignments give their cases in order, with no sort; with the case, the state and the due date
in one index, each case gives only the rows of the state and window asked for, not every duty
of the case; and whether the person holds the duty is one look-up of (person, case), not a
read of all the person's assignments (which SQLite does when the docket was never analysed).

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
    op.create_index("ix_assignment_person_case", "assignment", ["person_id", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_assignment_person_case", table_name="assignment")
    op.drop_index("ix_obligation_case_state_due", table_name="obligation")
