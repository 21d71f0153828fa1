"""E-mails with files and headers, end to end over SMTP: the outbox keeps its own copies of the
files, and the received message has both text alternatives, every file with its type and bytes,
the reply-to address and the List-Unsubscribe headers."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from charter.comms import outbox, unsubscribe
from charter.comms.models import OutboxAttachment, OutboxMessage, OutboxStatus
from charter.core.services import add_attachment, delete_attachment
from charter.testing.factories import ContactFactory
from charter.testing.fake_smtp import FakeSmtp

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\xff"
CHINESE_NAME = "需求规格说明书.pdf"


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server, override_settings(MAILERS=server.mailers()):
        yield server


@pytest.fixture
def files(client_org, users):
    def attach(name: str, content: bytes):
        upload = SimpleUploadedFile(name, content)
        return add_attachment(client_org, user=users["manager"], upload=upload)

    return [attach(CHINESE_NAME, PDF), attach("logo.png", PNG)]


def _email(key: str = "report-1", **fields) -> OutboxMessage:
    return outbox.enqueue_email(
        key=key,
        to=["alice@example.com"],
        subject="项目周报 / Weekly report",
        text="本周进展顺利。\nhttps://charter.example.com/projects/1/",
        html="<p>本周进展<b>顺利</b>。</p>",
        reply_to="pm@example.com",
        **fields,
    )


def _parts(received) -> list[tuple[str, str, bytes]]:
    return [
        (part.get_filename(), part.get_content_type(), part.get_content())
        for part in received.iter_attachments()
    ]


def test_both_files_arrive_with_their_names_types_and_bytes(smtp, files):
    message = _email(attachments=files)
    assert outbox.deliver(message.pk) == OutboxStatus.SENT
    [received] = smtp.messages
    assert _parts(received) == [
        (CHINESE_NAME, "application/pdf", PDF),
        ("logo.png", "image/png", PNG),
    ]
    assert received.get_content_type() == "multipart/mixed"


def test_html_and_plain_text_alternatives_and_reply_to_arrive(smtp, files):
    message = _email(attachments=files)
    outbox.deliver(message.pk)
    [received] = smtp.messages
    assert received["Reply-To"] == "pm@example.com"
    assert received.get_body(("plain",)).get_content().strip().startswith("本周进展顺利。")
    assert "本周进展<b>顺利</b>" in received.get_body(("html",)).get_content()
    [alternatives] = [p for p in received.iter_parts() if p.is_multipart()]
    assert alternatives.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternatives.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def test_the_list_unsubscribe_headers_arrive(smtp, client_org):
    contact = ContactFactory(client=client_org)
    message = _email(headers=unsubscribe.headers(contact))
    outbox.deliver(message.pk)
    [received] = smtp.messages
    # A long header is folded onto a second line (RFC 5322): unfold it before reading.
    link = "".join(str(received["List-Unsubscribe"]).split()).removeprefix("<").removesuffix(">")
    assert link.startswith(unsubscribe.site_url().rstrip("/") + "/u/")
    assert unsubscribe.contact_for(urlsplit(link).path.split("/")[2]) == contact
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_deleting_the_original_file_after_queueing_still_sends_the_copy(
    smtp, files, users, django_capture_on_commit_callbacks
):
    message = _email(attachments=files)
    original = files[0]
    storage, path = original.file.storage, original.file.name
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        delete_attachment(original, user=users["manager"])
    assert not storage.exists(path)
    assert outbox.deliver(message.pk) == OutboxStatus.SENT
    [received] = smtp.messages
    assert _parts(received)[0] == (CHINESE_NAME, "application/pdf", PDF)


def test_the_same_key_again_copies_the_files_once(files):
    first = _email(attachments=files)
    again = _email(attachments=files)
    assert again.pk == first.pk
    copies = OutboxAttachment.objects.filter(message=first)
    assert [(c.name, c.mime_type) for c in copies] == [
        (CHINESE_NAME, "application/pdf"),
        ("logo.png", "image/png"),
    ]
    assert all(c.file.name != f.file.name for c, f in zip(copies, files, strict=True))
