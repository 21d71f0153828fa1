"""Backup and restore round trips; run on PostgreSQL too with CHARTER_DATABASE_URL set."""

import datetime
import json
import shutil
import threading
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import translation

from charter.accounts import services as accounts
from charter.accounts.models import User
from charter.core import backup
from charter.core.commands import COMMANDS
from charter.core.models import Attachment, AuditEvent
from charter.core.services import add_attachment
from charter.crm.models import Client
from charter.crm.services.clients import update_client
from charter.testing.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXACT = datetime.datetime(2026, 11, 27, 8, 30, 0, 123, tzinfo=datetime.UTC)

FILES = {
    "scope.txt": ("范围说明 scope statement\n".encode(), True),
    "budget.csv": (b"item,amount\nlicences,120000\n", False),
    "notes.md": (bytes(range(256)) * 64, False),  # binary content must survive byte for byte
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def sample_data(users, client_org, other_client_org, media):
    """Users, clients, attachments with files, audit events, an API token."""
    manager = users["manager"]
    update_client(client_org, actor=manager, expected_version=client_org.version, short_name="云栖")
    for name, (content, shared) in FILES.items():
        add_attachment(
            client_org,
            user=manager,
            upload=SimpleUploadedFile(name, content),
            client_visible=shared,
        )
    accounts.create_api_token(users["admin"], name="CI")
    # Sub-millisecond times must survive: Django's JSON encoder alone keeps milliseconds only.
    AuditEvent.objects.filter(pk=AuditEvent.objects.earliest("pk").pk).update(created_at=EXACT)
    return users


def member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def media_members(path):
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("media/")}


def rewrite(source, target, replacements):
    """A copy of the archive with some members' bytes replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, replacements.get(name, old.read(name)))
    return target


def manifest_of(path):
    return json.loads(member(path, "manifest.json"))


def with_manifest(source, target, manifest):
    return rewrite(source, target, {"manifest.json": json.dumps(manifest)})


def empty_everything(media):
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media, ignore_errors=True)
    # New content-type ids, so restore must put back the backup's own rows.
    ContentType.objects.filter(app_label="crm").delete()
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_model(Client)


def test_round_trip_reproduces_every_row_and_file(sample_data, media, tmp_path):
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    written = backup.create_backup(first)
    assert written.files == len(FILES)
    events_before = AuditEvent.objects.filter(content_type__model="client").count()
    empty_everything(media)
    assert not User.objects.exists()

    restored = backup.restore_backup(first)

    assert restored == written
    backup.create_backup(second)
    assert member(first, "data.json") == member(second, "data.json")
    assert media_members(first) == media_members(second)
    for attachment in Attachment.objects.all():
        with attachment.file.open("rb") as stored:
            assert stored.read() == FILES[attachment.name][0]
    client_type = ContentType.objects.get_for_model(Client)
    assert AuditEvent.objects.filter(content_type=client_type).count() == events_before
    assert AuditEvent.objects.filter(created_at=EXACT).exists()
    assert User.objects.get(username="manager").check_password("correct-horse-battery")
    ClientFactory(name="After the restore Ltd")  # ids continue past the restored ones


def test_manifest_describes_the_backup(sample_data, tmp_path):
    path = tmp_path / "backup.zip"
    written = backup.create_backup(path)
    manifest = manifest_of(path)
    assert manifest["format"] == "charter-backup"
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["data"]["rows"] == written.rows
    assert "0001_initial" in manifest["migrations"]["crm"]
    assert sorted(entry["size"] for entry in manifest["media"]) == sorted(
        len(content) for content, _ in FILES.values()
    )
    rows = json.loads(member(path, "data.json"))
    labels = [row["model"] for row in rows]
    assert labels.index("contenttypes.contenttype") < labels.index("core.auditevent")
    assert {"accounts.user", "crm.client", "core.attachment", "accounts.apitoken"} <= set(labels)


def test_restore_migrates_an_older_backup_forward(sample_data, media, tmp_path):
    path = tmp_path / "backup.zip"
    backup.create_backup(path)
    latest = "0021_conditional_partial_index_ordering"
    manifest = manifest_of(path)
    manifest["migrations"]["django_tasks_database"].remove(latest)
    older = with_manifest(path, tmp_path / "older.zip", manifest)
    empty_everything(media)

    backup.restore_backup(older)

    assert ("django_tasks_database", latest) in MigrationRecorder(connection).applied_migrations()
    backup.create_backup(tmp_path / "again.zip")
    assert member(path, "data.json") == member(tmp_path / "again.zip", "data.json")


def test_restore_refuses_a_database_with_data(sample_data, tmp_path):
    path = tmp_path / "backup.zip"
    backup.create_backup(path)
    count = AuditEvent.objects.count()
    with pytest.raises(backup.BackupError, match="database is not empty"):
        backup.restore_backup(path)
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("not-a-zip", "not a readable Charter backup"),
        ("truncated", "not a readable Charter backup"),
        ("data", "data.json does not match its checksum"),
        ("file", "does not match its checksum"),
        ("no-manifest", "not a Charter backup"),
        ("newer-migration", "newer Charter"),
        ("unsafe-path", "unsafe file path"),
    ],
)
def test_damaged_backup_is_refused_and_writes_nothing(
    sample_data, media, tmp_path, damage, message
):
    path = tmp_path / "backup.zip"
    backup.create_backup(path)
    damaged = tmp_path / "damaged.zip"
    manifest = manifest_of(path)
    first_file = "media/" + manifest["media"][0]["path"]
    if damage == "not-a-zip":
        damaged.write_bytes(b"certainly not a zip")
    elif damage == "truncated":
        damaged.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "data":
        tampered = member(path, "data.json").replace(b"manager", b"managex")
        rewrite(path, damaged, {"data.json": tampered})
    elif damage == "file":
        rewrite(path, damaged, {first_file: b"tampered"})
    elif damage == "no-manifest":
        with zipfile.ZipFile(damaged, "w") as new:
            new.writestr("data.json", member(path, "data.json"))
    elif damage == "newer-migration":
        manifest["migrations"]["crm"].append("9999_from_the_future")
        with_manifest(path, damaged, manifest)
    elif damage == "unsafe-path":
        manifest["media"][0]["path"] = "../../etc/passwd"
        with_manifest(path, damaged, manifest)
    empty_everything(media)

    with pytest.raises(backup.BackupError, match=message):
        backup.restore_backup(damaged)

    assert not User.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_backup_refuses_to_run_inside_a_transaction(sample_data, tmp_path):
    with transaction.atomic(), pytest.raises(backup.BackupError, match="inside a database"):
        backup.create_backup(tmp_path / "backup.zip")
    assert not (tmp_path / "backup.zip").exists()


def test_backup_is_one_snapshot(sample_data, tmp_path, monkeypatch):
    """A row committed by someone else while the backup runs is not half in it."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (the SQLite test database is in memory)")
    dumped_models = backup.dumped_models

    def models_with_a_write_in_between():
        for index, model in enumerate(dumped_models()):
            if index == 1:
                run_in_other_connection(lambda: ClientFactory(name="Written meanwhile Ltd"))
            yield model

    monkeypatch.setattr(backup, "dumped_models", models_with_a_write_in_between)
    path = tmp_path / "backup.zip"
    backup.create_backup(path)
    assert Client.objects.filter(name="Written meanwhile Ltd").exists()
    assert "Written meanwhile Ltd" not in member(path, "data.json").decode()


def run_in_other_connection(work):
    def target():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()


def test_backup_and_restore_commands(sample_data, media, tmp_path, capsys):
    path = str(tmp_path / "backup.zip")
    assert COMMANDS["backup"]([path]) == 0
    assert "Backup written to" in capsys.readouterr().out
    assert COMMANDS["restore"]([path]) == 1
    assert "database is not empty" in capsys.readouterr().err
    empty_everything(media)
    assert COMMANDS["restore"]([path]) == 0
    assert f"files from {path}" in capsys.readouterr().out
    assert COMMANDS["restore"]([str(tmp_path / "missing.zip")]) == 1
    assert "does not exist" in capsys.readouterr().err
