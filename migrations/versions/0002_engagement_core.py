"""Engagement core: companies, services, contacts, threads, engagements, follow-ups, requests,
channel exceptions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("parent", sa.String(length=200), nullable=False),
        sa.Column("hq_jurisdiction", sa.String(length=120), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=False),
        sa.Column(
            "priority", sa.Enum("low", "medium", "high", name="priority", native_enum=False, length=32), nullable=False
        ),
        sa.Column(
            "health", sa.Enum("red", "amber", "green", name="health", native_enum=False, length=32), nullable=False
        ),
        sa.Column("health_reason", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "presence",
            sa.Enum(
                "none",
                "representative",
                "liaison_office",
                "branch",
                "subsidiary",
                name="localpresence",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("presence_city", sa.String(length=120), nullable=False),
        sa.Column("presence_evidence", sa.String(length=500), nullable=False),
        sa.Column("presence_verified_on", sa.Date(), nullable=True),
        sa.Column(
            "pta_registration",
            sa.Enum(
                "not_registered",
                "applied",
                "registered",
                "lapsed",
                name="ptaregistration",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("pta_evidence", sa.String(length=500), nullable=False),
        sa.Column("pta_verified_on", sa.Date(), nullable=True),
        sa.Column(
            "officer_status",
            sa.Enum("not_named", "named", name="officerstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("officer_name", sa.String(length=200), nullable=False),
        sa.Column("officer_is_resident", sa.Boolean(), nullable=False),
        sa.Column("officer_evidence", sa.String(length=500), nullable=False),
        sa.Column("officer_verified_on", sa.Date(), nullable=True),
        sa.Column(
            "tax_status",
            sa.Enum(
                "not_registered", "registered", "compliant", "disputed", name="taxstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("tax_evidence", sa.String(length=500), nullable=False),
        sa.Column("tax_verified_on", sa.Date(), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("name", name=op.f("uq_companies_name")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("(company_id IS NULL) <> (organisation_id IS NULL)", name=op.f("ck_contacts_one_employer")),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_contacts_company_id_companies")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_contacts_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contacts_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("estimated_users", sa.BigInteger(), nullable=True),
        sa.Column("users_source", sa.String(length=300), nullable=False),
        sa.Column("users_as_of", sa.Date(), nullable=True),
        sa.Column(
            "access_status",
            sa.Enum("available", "blocked", "throttled", name="accessstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_services_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_company_id"), ["company_id"], unique=False)

    op.create_table(
        "channel_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.Enum("open", "reviewed", name="exceptionstatus", native_enum=False, length=32), nullable=False
        ),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_channel_exceptions_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_channel_exceptions_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_channel_exceptions_reported_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_channel_exceptions_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_exceptions")),
    )
    with op.batch_alter_table("channel_exceptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_exceptions_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_channel_exceptions_status"), ["status"], unique=False)

    op.create_table(
        "service_access_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("available", "blocked", "throttled", name="accessstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_service_access_periods_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_access_periods_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_access_periods")),
    )
    with op.batch_alter_table("service_access_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_access_periods_service_id"), ["service_id"], unique=False)

    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("our_ask", sa.Text(), nullable=False),
        sa.Column("their_position", sa.Text(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "identified",
                "outreach",
                "negotiating",
                "agreement_in_principle",
                "concluded",
                "implementing",
                "closed",
                "stalled",
                "abandoned",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority", sa.Enum("low", "medium", "high", name="priority", native_enum=False, length=32), nullable=False
        ),
        sa.Column("lead_organisation_id", sa.Integer(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("next_step", sa.String(length=500), nullable=False),
        sa.Column("next_step_owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_threads_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["lead_organisation_id"], ["organisations.id"], name=op.f("fk_threads_lead_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["next_step_owner_id"], ["users.id"], name=op.f("fk_threads_next_step_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
    )
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_threads_stage"), ["stage"], unique=False)

    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "meeting",
                "video_call",
                "phone_call",
                "email",
                "letter",
                "visit",
                "conference_sidelines",
                name="engagementkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction", sa.Enum("outbound", "inbound", name="direction", native_enum=False, length=32), nullable=False
        ),
        sa.Column("occurred_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column(
            "classification",
            sa.Enum(
                "unclassified", "restricted", "confidential", "secret", name="clearance", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("our_ref", sa.String(length=120), nullable=False),
        sa.Column("their_ref", sa.String(length=120), nullable=False),
        sa.Column("diary_no", sa.String(length=120), nullable=False),
        sa.Column("needs_no_response", sa.Boolean(), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_engagements_company_id_companies")),
        sa.ForeignKeyConstraint(["logged_by_id"], ["users.id"], name=op.f("fk_engagements_logged_by_id_users")),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_engagements_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index("ix_engagements_company_occurred", ["company_id", "occurred_at", "id"], unique=False)
        batch_op.create_index("ix_engagements_occurred", ["occurred_at", "id"], unique=False)
        batch_op.create_index("ix_engagements_thread_occurred", ["thread_id", "occurred_at", "id"], unique=False)

    op.create_table(
        "thread_companies",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_thread_companies_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_thread_companies_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("thread_id", "company_id", name=op.f("pk_thread_companies")),
    )
    with op.batch_alter_table("thread_companies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_companies_company_id"), ["company_id"], unique=False)

    op.create_table(
        "thread_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "identified",
                "outreach",
                "negotiating",
                "agreement_in_principle",
                "concluded",
                "implementing",
                "closed",
                "stalled",
                "abandoned",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "identified",
                "outreach",
                "negotiating",
                "agreement_in_principle",
                "concluded",
                "implementing",
                "closed",
                "stalled",
                "abandoned",
                name="stage",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_thread_stage_changes_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_thread_stage_changes_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_stage_changes")),
    )
    with op.batch_alter_table("thread_stage_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_stage_changes_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_attachments_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_attachments_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachments_sha256"), ["sha256"], unique=False)

    op.create_table(
        "engagement_contacts",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_engagement_contacts_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_contacts_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "contact_id", name=op.f("pk_engagement_contacts")),
    )
    with op.batch_alter_table("engagement_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_contacts_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "engagement_organisations",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_organisations_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_engagement_organisations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("engagement_id", "organisation_id", name=op.f("pk_engagement_organisations")),
    )
    op.create_table(
        "engagement_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_engagement_revisions_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_revisions_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_revisions")),
    )
    with op.batch_alter_table("engagement_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_revisions_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "engagement_users",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_users_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_engagement_users_user_id_users")),
        sa.PrimaryKeyConstraint("engagement_id", "user_id", name=op.f("pk_engagement_users")),
    )
    with op.batch_alter_table("engagement_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_users_user_id"), ["user_id"], unique=False)

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assignee_organisation_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "done", "cancelled", name="followupstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("is_outbound_action", sa.Boolean(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("completion_note", sa.Text(), nullable=False),
        sa.Column("completed_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_follow_ups_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["assignee_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_follow_ups_assignee_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name=op.f("fk_follow_ups_company_id_companies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_follow_ups_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_follow_ups_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_follow_ups_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_ups_assignee_organisation_id"), ["assignee_organisation_id"], unique=False
        )
        batch_op.create_index("ix_follow_ups_assignee_status_due", ["assignee_id", "status", "due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "engagement_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum("routine", "soon", "urgent", name="urgency", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "accepted", "declined", name="requeststatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=1000), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("created_at", crm.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_engagement_requests_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_engagement_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"], ["follow_ups.id"], name=op.f("fk_engagement_requests_follow_up_id_follow_ups")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_engagement_requests_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_engagement_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_engagement_requests_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_requests")),
    )
    with op.batch_alter_table("engagement_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_requests_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_requests_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_requests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("engagement_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_requests_status"))
        batch_op.drop_index(batch_op.f("ix_engagement_requests_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_requests_company_id"))

    op.drop_table("engagement_requests")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_thread_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_company_id"))
        batch_op.drop_index("ix_follow_ups_assignee_status_due")
        batch_op.drop_index(batch_op.f("ix_follow_ups_assignee_organisation_id"))

    op.drop_table("follow_ups")
    with op.batch_alter_table("engagement_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_users_user_id"))

    op.drop_table("engagement_users")
    with op.batch_alter_table("engagement_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_revisions_engagement_id"))

    op.drop_table("engagement_revisions")
    op.drop_table("engagement_organisations")
    with op.batch_alter_table("engagement_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_contacts_contact_id"))

    op.drop_table("engagement_contacts")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachments_engagement_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("thread_stage_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_stage_changes_thread_id"))

    op.drop_table("thread_stage_changes")
    with op.batch_alter_table("thread_companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_companies_company_id"))

    op.drop_table("thread_companies")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index("ix_engagements_thread_occurred")
        batch_op.drop_index("ix_engagements_occurred")
        batch_op.drop_index("ix_engagements_company_occurred")

    op.drop_table("engagements")
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_threads_stage"))

    op.drop_table("threads")
    with op.batch_alter_table("service_access_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_access_periods_service_id"))

    op.drop_table("service_access_periods")
    with op.batch_alter_table("channel_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_exceptions_status"))
        batch_op.drop_index(batch_op.f("ix_channel_exceptions_company_id"))

    op.drop_table("channel_exceptions")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_company_id"))

    op.drop_table("services")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_company_id"))

    op.drop_table("contacts")
    op.drop_table("companies")
