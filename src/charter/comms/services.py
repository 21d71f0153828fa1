"""Chat robots: set one up for a project or a client, edit it, remove it, and send it a test
message. The webhook address and the signing secret are credentials: the audit trail records
only that they changed, never their values."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.comms.channels import registry
from charter.comms.channels.base import ChatMessage, Delivery
from charter.comms.models import ChatRobot, RobotKind
from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.crm.models import Client
from charter.planning.models import Project

ACTION_LABELS.update({"tested": gettext_lazy("sent a test message to")})

PLAIN_FIELDS = ("name", "kind", "is_active")  # audited with their values
SECRET_FIELDS = ("webhook_url", "secret")  # audited as "changed" only
CHANGED = "changed"

# Where each kind's robots live (integrations.md §3); other hosts are refused, except this
# machine, where tests' fake servers and on-premises relays listen.
PRODUCTION_HOSTS: dict[str, tuple[str, ...]] = {
    RobotKind.WECOM: ("qyapi.weixin.qq.com",),
    RobotKind.DINGTALK: ("oapi.dingtalk.com",),
    RobotKind.FEISHU: ("open.feishu.cn", "open.larksuite.com"),
    RobotKind.SLACK: ("hooks.slack.com",),
}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

Parent = Project | Client


def _check_address(robot: ChatRobot) -> None:
    """The address must be https on the kind's own host (or http(s) on this machine); a
    DingTalk signing secret starts with SEC."""
    errors: dict[str, str] = {}
    parts = urlsplit(robot.webhook_url.strip())
    hosts = PRODUCTION_HOSTS.get(robot.kind, ())
    local = parts.hostname in LOCAL_HOSTS and parts.scheme in ("http", "https")
    if not local and not (parts.scheme == "https" and parts.hostname in hosts):
        errors["webhook_url"] = _(
            "Paste the robot's webhook address: it starts with https://%(host)s/."
        ) % {"host": hosts[0] if hosts else ""}
    if robot.kind == RobotKind.DINGTALK and robot.secret and not robot.secret.startswith("SEC"):
        errors["secret"] = _("A DingTalk signing secret starts with SEC.")
    if errors:
        raise ValidationError(errors)


def _parent_field(parent: Parent) -> str:
    return "project" if isinstance(parent, Project) else "client"


def _audited(robot: ChatRobot) -> dict[str, Any]:
    return audit.snapshot(robot, PLAIN_FIELDS)


@transaction.atomic
def create_robot(
    parent: Parent,
    *,
    actor: Any,
    name: str,
    kind: str,
    webhook_url: str,
    secret: str = "",
    is_active: bool = True,
) -> ChatRobot:
    """Set up a robot of ``parent`` (a project or a client). ValidationError (nothing written)
    for an address not of the kind's host or a DingTalk secret without SEC."""
    robot = ChatRobot(
        **{_parent_field(parent): parent},
        name=(name or "").strip(),
        kind=kind,
        webhook_url=(webhook_url or "").strip(),
        secret=(secret or "").strip(),
        is_active=is_active,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    robot.full_clean()
    _check_address(robot)
    robot.save()
    given = {name: [None, CHANGED] for name in SECRET_FIELDS if getattr(robot, name)}
    audit.record(
        robot, "created", actor=actor, changes={**audit.diff({}, _audited(robot)), **given}
    )
    return robot


@transaction.atomic
def update_robot(
    robot: ChatRobot,
    *,
    actor: Any,
    expected_version: int,
    clear_secret: bool = False,
    **changes: Any,
) -> ChatRobot:
    """Edit a robot. An empty ``webhook_url`` or ``secret`` keeps the stored one;
    ``clear_secret`` removes the secret (signing turned off). StaleEdit (nothing written) if
    saved since ``expected_version``; ValidationError as for create."""
    if unknown := set(changes) - {*PLAIN_FIELDS, *SECRET_FIELDS}:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = _audited(robot)
    stored = {name: getattr(robot, name) for name in SECRET_FIELDS}
    for name, value in changes.items():
        if name in SECRET_FIELDS:
            value = (value or "").strip() or stored[name]
        setattr(robot, name, value.strip() if name == "name" else value)
    if clear_secret:
        robot.secret = ""
    robot.full_clean()
    _check_address(robot)
    update_versioned(
        robot, expected_version=expected_version, fields=(*PLAIN_FIELDS, *SECRET_FIELDS)
    )
    changed = audit.diff(before, _audited(robot))
    changed |= {
        name: [None, CHANGED] for name in SECRET_FIELDS if getattr(robot, name) != stored[name]
    }
    if changed:
        audit.record(robot, "updated", actor=actor, changes=changed)
    return robot


@transaction.atomic
def delete_robot(robot: ChatRobot, *, actor: Any) -> None:
    """Remove a robot; nothing is posted to its group any more."""
    audit.record(robot, "deleted", actor=actor, changes={"name": [robot.name, None]})
    robot.delete()


def compose_test_message(robot: ChatRobot, *, language: str, base_url: str) -> ChatMessage:
    """The test message in ``language``: which project or client it is for, and a link to it
    (the adapters show the title and the link themselves)."""
    parent: models.Model = robot.project or robot.client  # type: ignore[assignment]
    with translation.override(language):
        title = _("Charter test message")
        text = _("This chat robot is set up for %(name)s. Messages from Charter arrive here.") % {
            "name": parent
        }
    link = base_url.rstrip("/") + parent.get_absolute_url()  # type: ignore[attr-defined]
    return ChatMessage(title=title, text=text, markdown=text, link=link)


def test_robot(robot: ChatRobot, *, actor: Any, base_url: str) -> Delivery:
    """Post a test message (in the actor's language) to the robot's group and keep how it
    went on the robot. The post happens outside any transaction: no row lock is held while
    the remote answers. ``base_url`` is the site's address for the link (``https://host``)."""
    language = getattr(actor, "language", "") or settings.LANGUAGE_CODE
    message = compose_test_message(robot, language=language, base_url=base_url)
    delivery = registry.post(robot.kind, robot.webhook_url, robot.secret, message)
    _store_test(robot, actor=actor, delivery=delivery)
    return delivery


@transaction.atomic
def _store_test(robot: ChatRobot, *, actor: Any, delivery: Delivery) -> None:
    # A test is not an edit: the version stays, so an edit form open meanwhile still saves.
    robot.last_tested_at = timezone.now()
    robot.last_test_ok = delivery.ok
    robot.last_test_answer = delivery.answer
    ChatRobot.objects.filter(pk=robot.pk).update(
        last_tested_at=robot.last_tested_at,
        last_test_ok=robot.last_test_ok,
        last_test_answer=robot.last_test_answer,
    )
    after = audit.snapshot(robot, ("last_test_ok", "last_test_answer"))
    audit.record(robot, "tested", actor=actor, changes=audit.diff({}, after))
