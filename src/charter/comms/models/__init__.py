"""comms' tables, one module per area; import them from here."""

from charter.comms.models.meetings import ActionItem, Meeting, MeetingStatus
from charter.comms.models.outbox import (
    OutboxAttachment,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
)
from charter.comms.models.plan import (
    CommunicationFields,
    CommunicationItem,
    CommunicationKind,
    CommunicationOccurrence,
    ContactOptOut,
    MessageTemplate,
    OccurrenceStatus,
    OptOutSource,
    ShiftChoice,
)
from charter.comms.models.robots import ChatRobot, RobotKind

__all__ = [
    "ActionItem",
    "ChatRobot",
    "CommunicationFields",
    "CommunicationItem",
    "CommunicationKind",
    "CommunicationOccurrence",
    "ContactOptOut",
    "Meeting",
    "MeetingStatus",
    "MessageTemplate",
    "OccurrenceStatus",
    "OptOutSource",
    "OutboxAttachment",
    "OutboxChannel",
    "OutboxMessage",
    "OutboxStatus",
    "RobotKind",
    "ShiftChoice",
]
