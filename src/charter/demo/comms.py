"""The demo project's communication plan switched on: the weekly status report goes to the
client's sponsor and key user, the steering meeting invites them with the team. The chat-group
items stay drafts: the demo has no real group robot to post to."""

from charter.accounts.models import User
from charter.comms import plan
from charter.comms.models import CommunicationItem, CommunicationKind
from charter.planning.models import Project

MEETING_PLACE = "云栖科技 3 号会议室"


def seed_communications(project: Project, *, manager: User) -> None:
    contacts = list(project.client.contacts.exclude(email="").order_by("pk")[:2])
    colleagues = list(project.members.exclude(pk=manager.pk).order_by("pk"))
    for item in CommunicationItem.objects.filter(project=project).order_by("order"):
        if item.kind == CommunicationKind.STATUS_REPORT:
            changes = {"is_active": True, "send_time": item.send_time}
        elif item.kind == CommunicationKind.MEETING:
            changes = {"is_active": True, "location": MEETING_PLACE, "essential": True}
        else:
            continue
        plan.update_item(
            item,
            actor=manager,
            expected_version=item.version,
            contacts=contacts,
            colleagues=colleagues,
            **changes,
        )
