"""Governance workflows (issue 5): directives and progress, milestones, statements, notes
requests, draft reviews, data requests, WG meetings, nominations, recommendations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("serial", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("timeline_text", sa.String(length=200), nullable=False),
        sa.Column(
            "timeline_kind",
            sa.Enum(
                "immediate",
                "period",
                "ongoing",
                "upon_event",
                "none",
                name="timelinekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "timeline_event",
            sa.Enum("nsmcwg_formed", "focal_person_nominated", name="milestone", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("action_by_text", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "on_schedule",
                "behind_schedule",
                "completed",
                "superseded",
                name="directivestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("delay_reason", sa.String(length=2000), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_directives_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"], ["directives.id"], name=op.f("fk_directives_superseded_by_id_directives")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directives")),
        sa.UniqueConstraint("source_ref", "serial", name="uq_directives_source_serial"),
    )
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.create_index("ix_directives_status_due", ["status", "due_date", "id"], unique=False)

    op.create_table(
        "draft_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("originating_organisation_id", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=300), nullable=False),
        sa.Column("version_label", sa.String(length=50), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("input_due", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "under_review",
                "input_returned",
                "went_forward_without_input",
                "closed",
                name="reviewstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("consolidated_input", sa.Text(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_draft_reviews_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["originating_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_draft_reviews_originating_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_reviews")),
    )
    with op.batch_alter_table("draft_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_draft_reviews_originating_organisation_id"), ["originating_organisation_id"], unique=False
        )
        batch_op.create_index("ix_draft_reviews_status_due", ["status", "input_due", "id"], unique=False)

    op.create_table(
        "milestones",
        sa.Column(
            "key",
            sa.Enum("nsmcwg_formed", "focal_person_nominated", name="milestone", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_milestones_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_milestones")),
    )
    op.create_table(
        "wg_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("held_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("chaired_by", sa.String(length=200), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column(
            "classification",
            sa.Enum(
                "unclassified", "restricted", "confidential", "secret", name="clearance", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("invitees", sa.String(length=1000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_wg_meetings_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_meetings")),
    )
    with op.batch_alter_table("wg_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wg_meetings_held_at"), ["held_at"], unique=False)

    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_from_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "answered", "closed", "cancelled", name="datarequeststatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_data_requests_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["directive_id"], ["directives.id"], name=op.f("fk_data_requests_directive_id_directives")
        ),
        sa.ForeignKeyConstraint(
            ["requested_from_id"], ["organisations.id"], name=op.f("fk_data_requests_requested_from_id_organisations")
        ),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_data_requests_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_requests_requested_from_id"), ["requested_from_id"], unique=False)
        batch_op.create_index("ix_data_requests_status_due", ["status", "due_date", "id"], unique=False)

    op.create_table(
        "directive_organisations",
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directives.id"],
            name=op.f("fk_directive_organisations_directive_id_directives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_directive_organisations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("directive_id", "organisation_id", name=op.f("pk_directive_organisations")),
    )
    with op.batch_alter_table("directive_organisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directive_organisations_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "directive_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directives.id"],
            name=op.f("fk_directive_progress_directive_id_directives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_directive_progress_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_directive_progress_reported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directive_progress")),
    )
    with op.batch_alter_table("directive_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directive_progress_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "draft_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_review_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_draft_comments_author_id_users")),
        sa.ForeignKeyConstraint(
            ["draft_review_id"],
            ["draft_reviews.id"],
            name=op.f("fk_draft_comments_draft_review_id_draft_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_draft_comments_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_comments")),
    )
    with op.batch_alter_table("draft_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_comments_draft_review_id"), ["draft_review_id"], unique=False)

    op.create_table(
        "draft_reviewers",
        sa.Column("draft_review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_review_id"],
            ["draft_reviews.id"],
            name=op.f("fk_draft_reviewers_draft_review_id_draft_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_draft_reviewers_user_id_users")),
        sa.PrimaryKeyConstraint("draft_review_id", "user_id", name=op.f("pk_draft_reviewers")),
    )
    with op.batch_alter_table("draft_reviewers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_reviewers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("consensus_note", sa.Text(), nullable=False),
        sa.Column("recommended_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "recommended",
                "approved",
                "not_approved",
                "withdrawn",
                name="nominationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approval_ref", sa.String(length=200), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("designation_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_nominations_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["designation_id"], ["designations.id"], name=op.f("fk_nominations_designation_id_designations")
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["wg_meetings.id"], name=op.f("fk_nominations_meeting_id_wg_meetings")),
        sa.ForeignKeyConstraint(["nominee_id"], ["users.id"], name=op.f("fk_nominations_nominee_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("authority_organisation_id", sa.Integer(), nullable=True),
        sa.Column("routed_on", sa.Date(), nullable=True),
        sa.Column("routing_ref", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "routed",
                "accepted",
                "rejected",
                "returned",
                name="recommendationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_recommendations_authority_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_recommendations_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["wg_meetings.id"], name=op.f("fk_recommendations_meeting_id_wg_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index("ix_recommendations_status", ["status", "id"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "press_release",
                "press_conference",
                "social_media",
                "interview",
                name="statementchannel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("draft", "issued", "withdrawn", name="statementstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("drafted_by_id", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_statements_company_id_companies")),
        sa.ForeignKeyConstraint(["drafted_by_id"], ["users.id"], name=op.f("fk_statements_drafted_by_id_users")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_statements_issued_by_id_users")),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_statements_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statements_company_id"), ["company_id"], unique=False)
        batch_op.create_index("ix_statements_status_created", ["status", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_statements_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "wg_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"], ["directives.id"], name=op.f("fk_wg_decisions_directive_id_directives")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["wg_meetings.id"], name=op.f("fk_wg_decisions_meeting_id_wg_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wg_decisions")),
    )
    with op.batch_alter_table("wg_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wg_decisions_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "wg_meeting_attendees",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["wg_meetings.id"],
            name=op.f("fk_wg_meeting_attendees_meeting_id_wg_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_wg_meeting_attendees_user_id_users")),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_wg_meeting_attendees")),
    )
    with op.batch_alter_table("wg_meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wg_meeting_attendees_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wg_meeting_organisations",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["wg_meetings.id"],
            name=op.f("fk_wg_meeting_organisations_meeting_id_wg_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_wg_meeting_organisations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("meeting_id", "organisation_id", name=op.f("pk_wg_meeting_organisations")),
    )
    op.create_table(
        "data_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_request_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_request_id"],
            ["data_requests.id"],
            name=op.f("fk_data_responses_data_request_id_data_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_data_responses_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["users.id"], name=op.f("fk_data_responses_responded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_responses")),
    )
    with op.batch_alter_table("data_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_responses_data_request_id"), ["data_request_id"], unique=False)

    op.create_table(
        "notes_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "declined",
                "expired",
                "revoked",
                name="notesrequeststatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=False),
        sa.Column("expires_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_notes_requests_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_notes_requests_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(["requester_id"], ["users.id"], name=op.f("fk_notes_requests_requester_id_users")),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_notes_requests_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_requests")),
    )
    with op.batch_alter_table("notes_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_requests_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index(
            "ix_notes_requests_requester_status", ["requester_id", "status", "expires_at"], unique=False
        )
        batch_op.create_index("ix_notes_requests_status_created", ["status", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notes_requests_thread_id"), ["thread_id"], unique=False)

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress_report_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("data_response_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_review_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_attachments_data_response_id"), ["data_response_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_draft_review_id"), ["draft_review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_progress_report_id"), ["progress_report_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_data_response_id_data_responses"), "data_responses", ["data_response_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_progress_report_id_directive_progress"),
            "directive_progress",
            ["progress_report_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_draft_review_id_draft_reviews"), "draft_reviews", ["draft_review_id"], ["id"]
        )

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("directive_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("data_request_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_follow_ups_data_request_id"), ["data_request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_directive_id"), ["directive_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_ups_meeting_id_wg_meetings"), "wg_meetings", ["meeting_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_ups_directive_id_directives"), "directives", ["directive_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_ups_data_request_id_data_requests"), "data_requests", ["data_request_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_follow_ups_data_request_id_data_requests"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_follow_ups_directive_id_directives"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_follow_ups_meeting_id_wg_meetings"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_follow_ups_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_directive_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_data_request_id"))
        batch_op.drop_column("meeting_id")
        batch_op.drop_column("data_request_id")
        batch_op.drop_column("directive_id")

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attachments_draft_review_id_draft_reviews"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_attachments_progress_report_id_directive_progress"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_attachments_data_response_id_data_responses"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attachments_progress_report_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_draft_review_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_data_response_id"))
        batch_op.drop_column("draft_review_id")
        batch_op.drop_column("data_response_id")
        batch_op.drop_column("progress_report_id")

    with op.batch_alter_table("notes_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_requests_thread_id"))
        batch_op.drop_index("ix_notes_requests_status_created")
        batch_op.drop_index("ix_notes_requests_requester_status")
        batch_op.drop_index(batch_op.f("ix_notes_requests_engagement_id"))

    op.drop_table("notes_requests")
    with op.batch_alter_table("data_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_responses_data_request_id"))

    op.drop_table("data_responses")
    op.drop_table("wg_meeting_organisations")
    with op.batch_alter_table("wg_meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wg_meeting_attendees_user_id"))

    op.drop_table("wg_meeting_attendees")
    with op.batch_alter_table("wg_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wg_decisions_meeting_id"))

    op.drop_table("wg_decisions")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_thread_id"))
        batch_op.drop_index("ix_statements_status_created")
        batch_op.drop_index(batch_op.f("ix_statements_company_id"))

    op.drop_table("statements")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_status")

    op.drop_table("recommendations")
    op.drop_table("nominations")
    with op.batch_alter_table("draft_reviewers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_reviewers_user_id"))

    op.drop_table("draft_reviewers")
    with op.batch_alter_table("draft_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_comments_draft_review_id"))

    op.drop_table("draft_comments")
    with op.batch_alter_table("directive_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directive_progress_directive_id"))

    op.drop_table("directive_progress")
    with op.batch_alter_table("directive_organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directive_organisations_organisation_id"))

    op.drop_table("directive_organisations")
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_data_requests_status_due")
        batch_op.drop_index(batch_op.f("ix_data_requests_requested_from_id"))

    op.drop_table("data_requests")
    with op.batch_alter_table("wg_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wg_meetings_held_at"))

    op.drop_table("wg_meetings")
    op.drop_table("milestones")
    with op.batch_alter_table("draft_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_draft_reviews_status_due")
        batch_op.drop_index(batch_op.f("ix_draft_reviews_originating_organisation_id"))

    op.drop_table("draft_reviews")
    with op.batch_alter_table("directives", schema=None) as batch_op:
        batch_op.drop_index("ix_directives_status_due")

    op.drop_table("directives")
