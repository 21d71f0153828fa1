"""Backup and restore: one zip holding every row and every uploaded file.

The archive holds ``manifest.json`` (format, versions, database vendor, applied migrations,
checksums), ``data.json`` (every model's rows, Django's JSON serializer, in dumpdata's
dependency order, read in one consistent snapshot) and ``media/<path>`` for each stored file.
JSON keeps the archive portable between SQLite and PostgreSQL. Restore loads into an empty
database with the same primary keys, through the models of the backup's migration state, then
migrates forward to the running code.
"""

import datetime
import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.apps.registry import Apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, models, router, transaction
from django.db.migrations.exceptions import InvalidMigrationPlan, IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "charter-backup"
FORMAT_VERSION = 1
MANIFEST, DATA, MEDIA_DIR = "manifest.json", "data.json", "media/"
# Rows that `migrate` writes by itself (Django's, and our data migrations' defaults such as the
# pipeline stages); restore replaces them with the backup's own.
AUTO_CREATED = ("auth.permission", "contenttypes.contenttype", "crm.stage")
CHUNK = 1024 * 1024

Node = tuple[str, str]


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    rows: int
    files: int


# --- writing --------------------------------------------------------------------------------


def create_backup(path: str | os.PathLike[str]) -> Summary:
    """Write the whole database and the default storage's files to a zip at ``path``.

    Precondition: not inside a transaction (the snapshot must be the transaction's first read),
    and every migration applied. The file appears only once complete.
    """
    require_outside_transaction()
    if pending_migrations():
        raise BackupError(_("the database has unapplied migrations; run charter migrate first."))
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive, read_snapshot():
            data_sha256, rows = write_data(archive)
            files = write_media(archive)
            manifest = make_manifest(data_sha256, rows, files)
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(
            _("cannot write %(path)s: %(error)s") % {"path": target, "error": error}
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(rows=rows, files=len(files))


def require_outside_transaction() -> None:
    if connection.in_atomic_block:
        raise BackupError(_("backup and restore cannot run inside a database transaction."))


def pending_migrations() -> list[Any]:
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


@contextmanager
def read_snapshot() -> Iterator[None]:
    """One read-only transaction, so every table is read as of the same moment."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Our SQLite transactions start IMMEDIATE (a write lock); a reader needs no lock, and
        # a DEFERRED transaction sees one WAL snapshot from its first read on.
        mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = mode  # type: ignore[attr-defined]
    else:
        with transaction.atomic():
            yield


def dumped_models() -> list[type[models.Model]]:
    """Every concrete model stored in the database, in dumpdata's dependency order."""
    app_list = [(config, None) for config in apps.get_app_configs() if config.models_module]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [model for model in ordered if router.allow_migrate_model(DEFAULT_DB_ALIAS, model)]


class HashingWriter:
    """The serializer's text stream: writes UTF-8 to ``target`` while hashing it."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode()
        self.digest.update(data)
        self.target.write(data)
        return len(text)


def new_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def write_data(archive: zipfile.ZipFile) -> tuple[str, int]:
    rows = 0

    def objects() -> Iterator[models.Model]:
        nonlocal rows
        for model in dumped_models():
            queryset = model._base_manager.order_by(model._meta.pk.name)
            for obj in queryset.iterator(chunk_size=2000):
                rows += 1
                yield obj

    with archive.open(new_member(DATA), "w", force_zip64=True) as raw:
        hashing = HashingWriter(raw)
        # Sorted keys: PostgreSQL reorders JSON object keys, SQLite keeps them as written.
        serializers.serialize(
            "json", objects(), stream=hashing, sort_keys=True, cls=ExactJSONEncoder
        )
    return hashing.digest.hexdigest(), rows


def stored_files(directory: str = "") -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for folder in sorted(folders):
        yield from stored_files(f"{directory}/{folder}" if directory else folder)


def copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def write_media(archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    entries = []
    for name in stored_files():
        try:
            source = default_storage.open(name, "rb")
        except FileNotFoundError:
            continue  # deleted since it was listed: its row is gone too
        with source, archive.open(new_member(MEDIA_DIR + name), "w", force_zip64=True) as target:
            sha256, size = copy_hashing(source, target)
        entries.append({"path": name, "size": size, "sha256": sha256})
    return entries


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def charter_version() -> str:
    try:
        return metadata.version("charter")
    except metadata.PackageNotFoundError:
        return "unknown"


def make_manifest(data_sha256: str, rows: int, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "charter_version": charter_version(),
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "migrations": applied_migrations(),
        "data": {"path": DATA, "sha256": data_sha256, "rows": rows},
        "media": files,
    }


# --- restoring ------------------------------------------------------------------------------


def restore_backup(path: str | os.PathLike[str]) -> Summary:
    """Load a backup into an empty database and copy its files into the default storage.

    Verifies everything before writing anything. Migrates the schema to the backup's state,
    loads every row in one transaction (same primary keys), then migrates forward.
    Precondition: not inside a transaction.
    """
    require_outside_transaction()
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        data = read_verified(archive, DATA, manifest["data"]["sha256"])
        for entry in manifest["media"]:
            read_verified(archive, media_member(entry["path"]), entry["sha256"], keep=False)
        require_empty_database()
        state = migrate_to(manifest["migrations"])
        written = restore_media(archive, manifest["media"])
        try:
            rows = load_rows(data, state)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # its cache maps models to the replaced rows' ids
    return Summary(rows=rows, files=len(written))


@contextmanager
def open_archive(path: str | os.PathLike[str]) -> Iterator[zipfile.ZipFile]:
    """The zip, with damage and missing parts reported as BackupError."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except FileNotFoundError:
        raise BackupError(_("%(path)s does not exist.") % {"path": path}) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise BackupError(
            _("%(path)s is not a readable Charter backup (damaged or not a zip file: %(error)s).")
            % {"path": path, "error": error}
        ) from None


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(open_member(archive, MANIFEST).read())
    except (ValueError, BackupError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("the archive is not a Charter backup (no valid manifest)."))
    if not isinstance(manifest.get("format_version"), int) or not well_formed(manifest):
        raise BackupError(_("the backup's manifest is damaged."))
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(_("the backup was written by a newer Charter; upgrade Charter first."))
    return manifest


def well_formed(manifest: dict[str, Any]) -> bool:
    data, migrations, media = (
        manifest.get("data"),
        manifest.get("migrations"),
        manifest.get("media"),
    )
    return (
        isinstance(data, dict)
        and isinstance(data.get("sha256"), str)
        and isinstance(migrations, dict)
        and all(
            isinstance(names, list) and all(isinstance(name, str) for name in names)
            for names in migrations.values()
        )
        and isinstance(media, list)
        and all(
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("sha256"), str)
            for entry in media
        )
    )


def open_member(archive: zipfile.ZipFile, member: str) -> IO[bytes]:
    try:
        return archive.open(member)
    except KeyError:
        raise BackupError(
            _("the backup is incomplete: %(member)s is missing.") % {"member": member}
        ) from None


def media_member(path: str) -> str:
    """The archive member of a stored file; refuses paths that would leave the media folder."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path or ".." in parts:
        raise BackupError(_("the manifest names an unsafe file path: %(path)r") % {"path": path})
    return MEDIA_DIR + path


def read_verified(
    archive: zipfile.ZipFile, member: str, sha256: str, *, keep: bool = True
) -> bytes:
    digest, kept = hashlib.sha256(), bytearray()
    with open_member(archive, member) as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            if keep:
                kept += chunk
    if digest.hexdigest() != sha256:
        raise BackupError(
            _("%(member)s does not match its checksum: the backup is damaged.") % {"member": member}
        )
    return bytes(kept)


def require_empty_database() -> None:
    """Refuse when any table holds rows other than those migrate creates by itself."""
    tables = set(connection.introspection.table_names())
    filled = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.db_table in tables
        and model._meta.label_lower not in AUTO_CREATED
        and model._base_manager.exists()
    ]
    if filled:
        raise BackupError(
            _(
                "the database is not empty (%(tables)s have rows). Restore into a new, empty "
                "database."
            )
            % {"tables": ", ".join(sorted(filled))}
        )


def leaf_targets(loader: MigrationLoader, wanted: set[Node]) -> list[tuple[str, str | None]]:
    """Per app, the last migrations of ``wanted`` (or None: the app has none in it)."""
    graph = loader.graph
    targets: list[tuple[str, str | None]] = []
    for app_label in sorted({node[0] for node in graph.nodes}):
        ours = {node for node in wanted if node[0] == app_label}
        leaves = sorted(
            node
            for node in ours
            if not any(child.key in ours for child in graph.node_map[node].children)
        )
        targets.extend(leaves or [(app_label, None)])
    return targets


def migrate_to(dumped: dict[str, list[str]]) -> Apps:
    """Bring the schema to the backup's migration state; the models of that state."""
    wanted = {(app, name) for app, names in dumped.items() for name in names}
    executor = MigrationExecutor(connection)
    unknown = wanted - set(executor.loader.disk_migrations)
    if unknown:
        raise BackupError(
            _(
                "the backup comes from a newer Charter (unknown migrations: %(names)s); upgrade "
                "Charter first."
            )
            % {"names": ", ".join(f"{a}.{n}" for a, n in sorted(unknown))}
        )
    targets = leaf_targets(executor.loader, wanted)
    try:
        executor.migrate(targets)
    except (InvalidMigrationPlan, IrreversibleError, DatabaseError) as error:
        raise BackupError(
            _(
                "cannot bring this database to the backup's migration state (%(error)s). Restore "
                "into a new database that has no tables yet."
            )
            % {"error": error}
        ) from None
    if set(MigrationRecorder(connection).applied_migrations()) != wanted:
        raise BackupError(
            _(
                "cannot bring this database to the backup's migration state. Restore into a new "
                "database that has no tables yet."
            )
        )
    leaves = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(leaves).apps


def restore_media(archive: zipfile.ZipFile, entries: list[dict[str, Any]]) -> list[str]:
    """Write each file under its original name (rows refer to it by that name)."""
    written = []
    for entry in entries:
        name = entry["path"]
        if default_storage.exists(name):
            default_storage.delete(name)  # nothing refers to it: the database is empty
        with open_member(archive, media_member(name)) as source:
            saved = default_storage.save(name, File(source, name=PurePosixPath(name).name))
        written.append(saved)
        if saved != name:
            raise BackupError(_("the storage renamed %(path)s while restoring.") % {"path": name})
    return written


class StateDeserializer(PythonDeserializer):
    """Django's deserializer, building rows with the models of a migration state."""

    def __init__(self, object_list: list[Any], *, state: Apps) -> None:
        super().__init__(object_list)
        self.state = state

    def _get_model_from_node(self, model_identifier: str) -> type[models.Model]:
        try:
            return self.state.get_model(model_identifier)
        except (LookupError, TypeError):
            raise DeserializationError(f"Invalid model identifier: {model_identifier}") from None


def load_rows(data: bytes, state: Apps) -> int:
    """Replace migrate's own rows with the backup's and insert every row, all or nothing."""
    try:
        objects = json.loads(data)
        with transaction.atomic():
            for label in AUTO_CREATED:
                if label in {model._meta.label_lower for model in state.get_models()}:
                    state.get_model(label)._base_manager.all().delete()
            loaded = save_all(StateDeserializer(objects, state=state))
            connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
            reset_sequences(loaded)
    except (ValueError, DeserializationError, DatabaseError) as error:
        raise BackupError(
            _("the backup's data could not be loaded; nothing was restored (%(error)s).")
            % {"error": error}
        ) from None
    return sum(loaded.values())


def save_all(objects: PythonDeserializer) -> dict[type[models.Model], int]:
    counts: dict[type[models.Model], int] = {}
    # Like loaddata: rows may refer to rows that come later in the file.
    with connection.constraint_checks_disabled():
        for deserialized in objects:
            deserialized.save()
            model = type(deserialized.object)
            counts[model] = counts.get(model, 0) + 1
    return counts


def reset_sequences(loaded: dict[type[models.Model], int]) -> None:
    """Point PostgreSQL's id sequences past the loaded ids (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(loaded))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
