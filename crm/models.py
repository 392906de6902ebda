"""Every model, imported once so metadata is complete (Alembic, tests)."""

from crm.accounts.models import ApiToken, User
from crm.audit.models import AuditChainHead, AuditEvent
from crm.companies.models import Company, Service, ServiceAccessPeriod
from crm.contacts.models import Contact
from crm.designations.models import Designation
from crm.engagements.models import Attachment, Engagement, EngagementRevision
from crm.exceptions.models import ChannelException
from crm.followups.models import FollowUp
from crm.organisations.models import Organisation
from crm.requests.models import EngagementRequest
from crm.threads.models import StageChange, Thread

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "ChannelException",
    "Company",
    "Contact",
    "Designation",
    "Engagement",
    "EngagementRequest",
    "EngagementRevision",
    "FollowUp",
    "Organisation",
    "Service",
    "ServiceAccessPeriod",
    "StageChange",
    "Thread",
    "User",
]
