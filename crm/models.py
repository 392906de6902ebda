"""Every model, imported once so metadata is complete (Alembic, tests)."""

from crm.accounts.models import ApiToken, RecoveryCode, User, UserSession
from crm.audit.models import AuditChainHead, AuditEvent
from crm.commitments.models import Commitment
from crm.companies.models import Company, Service, ServiceAccessPeriod
from crm.contacts.models import Contact
from crm.datarequests.models import DataRequest, DataResponse
from crm.designations.models import Designation
from crm.directives.models import Directive, MilestoneRecord, ProgressReport
from crm.engagements.models import Attachment, Engagement, EngagementRevision
from crm.exceptions.models import ChannelException
from crm.feeds.models import CalendarFeed
from crm.filters.models import SavedFilter
from crm.followups.models import FollowUp
from crm.meetings.models import Nomination, Recommendation, WGDecision, WGMeeting
from crm.notes.models import NotesRequest
from crm.notifications.models import Notification, OutboxMessage
from crm.organisations.models import Organisation
from crm.requests.models import EngagementRequest
from crm.reviews.models import DraftComment, DraftReview
from crm.scheduler.models import JobRun, SchedulerLease
from crm.search.models import SearchDocument
from crm.statements.models import Statement
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
    "DataRequest",
    "DataResponse",
    "Designation",
    "Directive",
    "DraftComment",
    "DraftReview",
    "Engagement",
    "EngagementRequest",
    "EngagementRevision",
    "FollowUp",
    "JobRun",
    "MilestoneRecord",
    "Nomination",
    "NotesRequest",
    "Notification",
    "Organisation",
    "OutboxMessage",
    "ProgressReport",
    "Recommendation",
    "RecoveryCode",
    "SchedulerLease",
    "SearchDocument",
    "SavedFilter",
    "Service",
    "ServiceAccessPeriod",
    "StageChange",
    "Statement",
    "Thread",
    "User",
    "UserSession",
    "WGDecision",
    "WGMeeting",
]
