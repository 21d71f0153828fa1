"""A local SMTP server (aiosmtpd) for tests that send real mail over the wire.

    with FakeSmtp() as smtp, override_settings(MAILERS=smtp.mailers()):
        ...send...
        assert smtp.messages[-1]["Subject"] == "…"

``refuse(address, "550 5.1.1 …")`` makes it answer RCPT TO for that address with the given
reply (4xx: try later, 5xx: never); ``accept(address)`` takes the refusal back. The port is
chosen when the object is made, so a test can ``stop()`` the server (the mail server is down:
connections are refused) and ``start()`` it again on the same port.
"""

import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"


class FakeSmtp:
    """The server. ``messages`` are the accepted messages in order, parsed with the modern
    e-mail policy; ``recipients`` the envelope recipients of each, in the same order."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._refusals: dict[str, str] = {}
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> Self:
        self._controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def mailers(self) -> dict[str, dict[str, Any]]:
        """A MAILERS setting whose default mailer talks to this server."""
        options = {"host": HOST, "port": self.port, "timeout": 5}
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": options,
            }
        }

    def refuse(self, address: str, reply: str) -> None:
        """Answer RCPT TO ``address`` with ``reply`` ("450 4.2.1 Mailbox busy", "550 …")."""
        with self._lock:
            self._refusals[address.lower()] = reply

    def accept(self, address: str) -> None:
        with self._lock:
            self._refusals.pop(address.lower(), None)

    def refusal(self, address: str) -> str | None:
        with self._lock:
            return self._refusals.get(address.lower())

    def keep(self, content: bytes, recipients: list[str]) -> None:
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            self.recipients.append(recipients)


class _Handler:
    def __init__(self, server: FakeSmtp) -> None:
        self.server = server

    async def handle_RCPT(
        self,
        smtp: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.server.refusal(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.server.keep(content, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port
