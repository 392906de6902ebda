"""Every model, imported once so metadata is complete (Alembic, tests)."""

from crm.accounts.models import ApiToken, User
from crm.audit.models import AuditChainHead, AuditEvent
from crm.commitments.models import Commitment
from crm.companies.models import Company, Service, ServiceAccessPeriod
from crm.contacts.models import Contact
from crm.designations.models import Designation
from crm.engagements.models import Attachment, Engagement, EngagementRevision
from crm.exceptions.models import ChannelException
from crm.feeds.models import CalendarFeed
from crm.followups.models import FollowUp
from crm.notifications.models import Notification, OutboxMessage
from crm.organisations.models import Organisation
from crm.requests.models import EngagementRequest
from crm.scheduler.models import JobRun, SchedulerLease
from crm.threads.models import StageChange, Thread

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "CalendarFeed",
    "ChannelException",
    "Commitment",
    "Company",
    "Contact",
    "Designation",
    "Engagement",
    "EngagementRequest",
    "EngagementRevision",
    "FollowUp",
    "JobRun",
    "Notification",
    "Organisation",
    "OutboxMessage",
    "SchedulerLease",
    "Service",
    "ServiceAccessPeriod",
    "StageChange",
    "Thread",
    "User",
]
