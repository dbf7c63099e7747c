"""network tables (owned by lantern/network; see lantern/store/tables/network.py).

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
    op.create_table('network_edges',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('target', sa.Text(), nullable=False),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.Column('evidence', sa.Float(), nullable=False),
        sa.Column('n_events', sa.Integer(), nullable=False),
        sa.Column('first_seen', sa.Date(), nullable=True),
        sa.Column('last_seen', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_edges'))
        )
    op.create_index('ix_network_edges_source', 'network_edges', ['source'], unique=False)
    op.create_index('ix_network_edges_target', 'network_edges', ['target'], unique=False)
    op.create_table('network_entities',
        sa.Column('group_id', sa.String(length=16), nullable=False),
        sa.Column('node_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.Text(), nullable=True),
        sa.Column('members_linked', sa.Integer(), nullable=False),
        sa.Column('suspects_linked', sa.Integer(), nullable=False),
        sa.Column('in_community', sa.Boolean(), nullable=False),
        sa.Column('first_seen', sa.Date(), nullable=True),
        sa.Column('last_seen', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('group_id', 'node_id', name=op.f('pk_network_entities'))
        )
    op.create_table('network_events',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('group_id', sa.String(length=16), nullable=False),
        sa.Column('agency', sa.String(length=64), nullable=False),
        sa.Column('event_ref', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=True),
        sa.Column('area', sa.String(length=16), nullable=True),
        sa.Column('grading', sa.String(length=8), nullable=True),
        sa.Column('grading_scheme', sa.String(length=8), nullable=True),
        sa.Column('persons', sa.Text(), nullable=False),
        sa.Column('entities', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_events'))
        )
    op.create_index('ix_network_events_group_id', 'network_events', ['group_id', 'occurred_on'], unique=False)
    op.create_table('network_groups',
        sa.Column('group_id', sa.String(length=16), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('n_members', sa.Integer(), nullable=False),
        sa.Column('n_suspects', sa.Integer(), nullable=False),
        sa.Column('n_victims', sa.Integer(), nullable=False),
        sa.Column('n_other', sa.Integer(), nullable=False),
        sa.Column('areas', sa.Text(), nullable=False),
        sa.Column('n_areas', sa.Integer(), nullable=False),
        sa.Column('cross_area', sa.Boolean(), nullable=False),
        sa.Column('first_seen', sa.Date(), nullable=True),
        sa.Column('last_seen', sa.Date(), nullable=True),
        sa.Column('most_connected', sa.String(length=64), nullable=True),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('group_id', name=op.f('pk_network_groups'))
        )
    op.create_index('ix_network_groups_active', 'network_groups', ['active', 'cross_area'], unique=False)
    op.create_table('network_hotspots',
        sa.Column('node_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.Text(), nullable=True),
        sa.Column('n_children', sa.Integer(), nullable=False),
        sa.Column('n_suspects', sa.Integer(), nullable=False),
        sa.Column('first_seen', sa.Date(), nullable=True),
        sa.Column('last_seen', sa.Date(), nullable=True),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.Column('areas', sa.Text(), nullable=False),
        sa.Column('group_ids', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('node_id', name=op.f('pk_network_hotspots'))
        )
    op.create_table('network_members',
        sa.Column('group_id', sa.String(length=16), nullable=False),
        sa.Column('person_id', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=8), nullable=False),
        sa.Column('key_actor_score', sa.Float(), nullable=False),
        sa.Column('strength', sa.Float(), nullable=False),
        sa.Column('pagerank', sa.Float(), nullable=False),
        sa.Column('betweenness', sa.Float(), nullable=False),
        sa.Column('is_child', sa.Boolean(), nullable=False),
        sa.Column('person_areas', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('group_id', 'person_id', name=op.f('pk_network_members'))
        )
    op.create_index('ix_network_members_person_id', 'network_members', ['person_id'], unique=False)
    op.create_table('network_nodes',
        sa.Column('node_id', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.Text(), nullable=True),
        sa.Column('role', sa.String(length=8), nullable=True),
        sa.Column('is_child', sa.Boolean(), nullable=False),
        sa.Column('areas', sa.Text(), nullable=True),
        sa.Column('community', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint('node_id', name=op.f('pk_network_nodes'))
        )
    op.create_index('ix_network_nodes_group_id', 'network_nodes', ['group_id'], unique=False)
    op.create_table('network_runs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('run_at', sa.DateTime(), nullable=False),
        sa.Column('config_version', sa.String(length=32), nullable=False),
        sa.Column('objective', sa.String(length=16), nullable=False),
        sa.Column('resolution', sa.Float(), nullable=False),
        sa.Column('nodes', sa.Integer(), nullable=False),
        sa.Column('edges', sa.Integer(), nullable=False),
        sa.Column('groups', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_runs'))
        )


def downgrade() -> None:
    op.drop_table('network_runs')
    op.drop_index('ix_network_nodes_group_id', table_name='network_nodes')
    op.drop_table('network_nodes')
    op.drop_index('ix_network_members_person_id', table_name='network_members')
    op.drop_table('network_members')
    op.drop_table('network_hotspots')
    op.drop_index('ix_network_groups_active', table_name='network_groups')
    op.drop_table('network_groups')
    op.drop_index('ix_network_events_group_id', table_name='network_events')
    op.drop_table('network_events')
    op.drop_table('network_entities')
    op.drop_index('ix_network_edges_target', table_name='network_edges')
    op.drop_index('ix_network_edges_source', table_name='network_edges')
    op.drop_table('network_edges')
