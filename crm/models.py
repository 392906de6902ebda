"""Every model, imported once so metadata is complete (Alembic, tests)."""

from crm.accounts.models import ApiToken, User
from crm.audit.models import AuditChainHead, AuditEvent
from crm.designations.models import Designation
from crm.organisations.models import Organisation

__all__ = ["ApiToken", "AuditChainHead", "AuditEvent", "Designation", "Organisation", "User"]
