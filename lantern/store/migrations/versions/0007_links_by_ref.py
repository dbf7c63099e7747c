"""links looked up by (agency, ref): the child's page reads a person's events by key.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_links_agency_ref", "links", ["agency", "ref"])


def downgrade() -> None:
    op.drop_index("ix_links_agency_ref", table_name="links")
