"""Database models; importing this package registers every table with the metadata."""

from webapp.models.audit import AuditEntry
from webapp.models.blocking import BlockedSender
from webapp.models.collaboration import CannedReply, Reminder, SavedView, Watcher
from webapp.models.forms import Form, FormVersion, Response, ResponseFile, ResponseScore
from webapp.models.inbound import InboundEmail, InboundOutcome
from webapp.models.inbox import InboxNotification
from webapp.models.integrations import ApiToken, TokenScope
from webapp.models.messaging import (
    DeliveryStatus,
    EmailOptOut,
    NoticeStatus,
    StaffNotice,
    SurveyInvitation,
    SurveyStatus,
    Webhook,
    WebhookDelivery,
)
from webapp.models.outbox import OutboxMessage, OutboxStatus
from webapp.models.people import RecoveryCode, Role, Team, TeamMembership, TicketAccess, User
from webapp.models.settings import AppSetting
from webapp.models.studio import DefinitionDraft, EmailTemplateText
from webapp.models.tickets import (
    SlaAlert,
    SlaAlertStatus,
    Task,
    TeamRoutingState,
    Ticket,
    TicketEvent,
    TicketFile,
    TicketLabel,
)
from webapp.models.types import UTCDateTime, utcnow
from webapp.models.workflows import WorkflowKind, WorkflowVersion

__all__ = [
    "ApiToken",
    "AppSetting",
    "RecoveryCode",
    "TokenScope",
    "DefinitionDraft",
    "EmailTemplateText",
    "AuditEntry",
    "BlockedSender",
    "DeliveryStatus",
    "EmailOptOut",
    "NoticeStatus",
    "StaffNotice",
    "SurveyInvitation",
    "SurveyStatus",
    "Webhook",
    "WebhookDelivery",
    "CannedReply",
    "Reminder",
    "SavedView",
    "Watcher",
    "Form",
    "InboxNotification",
    "InboundEmail",
    "InboundOutcome",
    "FormVersion",
    "Response",
    "ResponseFile",
    "ResponseScore",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "TicketAccess",
    "SlaAlert",
    "SlaAlertStatus",
    "Task",
    "TeamRoutingState",
    "Ticket",
    "TicketEvent",
    "TicketFile",
    "TicketLabel",
    "WorkflowKind",
    "WorkflowVersion",
    "Team",
    "TeamMembership",
    "User",
    "UTCDateTime",
    "utcnow",
]
