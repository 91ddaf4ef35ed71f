"""Database models; importing this package registers every table with the metadata."""

from webapp.models.outbox import OutboxMessage, OutboxStatus
from webapp.models.people import Role, Team, TeamMembership, User
from webapp.models.types import UTCDateTime, utcnow

__all__ = [
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "Team",
    "TeamMembership",
    "User",
    "UTCDateTime",
    "utcnow",
]
