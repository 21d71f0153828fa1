"""Import of clients, contacts and opportunities from CSV/XLSX: upload, check, commit.

A job goes ``mapping`` → (``checking``) → ``checked`` → (``committing``) → ``done`` (or
``failed``). :func:`start_import` reads the headings and proposes a mapping;
:func:`check_import` is the dry run (counts to create / update / unchanged / error rows, every
row's errors); :func:`commit_import` writes everything in one transaction, or nothing.
Files with more than :data:`BACKGROUND_ROWS` rows are checked and committed by the
``run_import_job`` task, which keeps ``rows_done`` up to date.

Speed: every lookup table (names, external ids, e-mails, users, stages, tags) is read once per
run; rows then go through in chunks of :data:`CHUNK_ROWS` with a fixed number of queries each
(one ``in_bulk`` for the matched records, ``bulk_create``/``bulk_update`` for the writes).

Audit: one event per created or updated record, written with ``bulk_create`` in the same
chunk, so a client's history shows the import like any other edit without one query per row.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.core import audit
from charter.core.models import AuditEvent
from charter.crm import importing
from charter.crm.choices import ImportKind, ImportStatus, StageKind
from charter.crm.importing import CleanRow, FileInfo, FileProblem, Spec
from charter.crm.models import (
    Client,
    Contact,
    ExternalId,
    ImportJob,
    ImportMapping,
    Opportunity,
    Stage,
    Tag,
)

BACKGROUND_ROWS = 1000
CHUNK_ROWS = 5000

Progress = Callable[[int], None]


class RowErrors(Exception):
    """Rows have errors and only-valid-rows was not chosen: the commit is rolled back."""

    def __init__(self, outcome: "Outcome") -> None:
        self.outcome = outcome
        super().__init__(outcome.error_rows)


@dataclass
class Plan:
    """What one chunk of rows would do."""

    creates: list[CleanRow] = field(default_factory=list)  # records built when written
    updates: list[tuple[models.Model, CleanRow, dict[str, list[Any]]]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CleanRow] = field(default_factory=list)
    links: list[tuple[models.Model, str, str]] = field(default_factory=list)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, plan: Plan) -> None:
        self.created += len(plan.creates)
        self.updated += len(plan.updates)
        self.unchanged += plan.unchanged
        self.error_rows += len(plan.errors)
        self.errors += [
            {"row": row.number, "column": column, "message": message}
            for row in plan.errors
            for column, message in row.errors
        ]


# ---- the importers: one per kind -----------------------------------------------------------


class Importer:
    """Resolves references, matches rows to existing records and writes a chunk in bulk."""

    model: type[models.Model]
    spec: Spec
    relations: tuple[str, ...] = ()  # foreign keys a row may set, by field name

    def __init__(self, actor: Any, headings: Mapping[str, str]) -> None:
        self.actor = actor
        self.headings = headings
        self.content_type = ContentType.objects.get_for_model(self.model)
        self.index: dict[Hashable, int] = {}
        self.seen: dict[Hashable, int] = {}
        self.created: list[tuple[models.Model, CleanRow]] = []  # by the last write
        self.external: dict[tuple[str, str], int] = {}
        self.linked: dict[tuple[str, int], str] = {}
        for system, object_id, external_id in ExternalId.objects.filter(
            content_type=self.content_type
        ).values_list("system", "object_id", "external_id"):
            self.external[system, external_id] = int(object_id)
            self.linked[system, int(object_id)] = external_id
        self.load()

    # -- to specialise
    def load(self) -> None:
        """Read the lookup tables of this kind, once."""

    def resolve(self, row: CleanRow) -> None:
        """Turn references (owner, client, stage) into ids, or add errors."""

    def keys(self, row: CleanRow) -> list[tuple[Hashable, Any]]:
        """``(key, what)`` that identify the row's record after its external id, in order."""
        return []

    def skipped(self, row: CleanRow, matched_by: Hashable | None) -> set[str]:
        """Fields not compared for a record matched by ``matched_by``."""
        return set()

    def new_record(self, row: CleanRow) -> models.Model:
        return self.model(**self.model_values(row))

    def before_compare(self, existing: dict[Any, models.Model]) -> None:
        """Read what :meth:`changes` compares beyond the model's columns (tags)."""

    def write_extra(self, plan: Plan) -> None:
        """Write what lives beside the rows (tags); kinds without such data write nothing."""

    # -- shared
    def model_values(self, row: CleanRow) -> dict[str, Any]:
        names = {f.attname for f in self.model._meta.concrete_fields}
        return {name: value for name, value in row.values.items() if name in names}

    def plan(self, rows: list[CleanRow]) -> Plan:
        plan = Plan()
        matched: list[tuple[CleanRow, int, Hashable | None, tuple[str, str] | None]] = []
        for row in rows:
            self.resolve(row)
            found = None if row.errors else self.match(row)
            if row.errors:
                plan.errors.append(row)
            elif found is None:
                plan.creates.append(row)
            else:
                matched.append((row, *found))
        existing = self.model._default_manager.select_related(*self.relations).in_bulk(
            [pk for _row, pk, _by, _link in matched]
        )
        self.before_compare(existing)
        for row, pk, matched_by, link in matched:
            obj = existing[pk]
            changes = self.changes(obj, row, self.skipped(row, matched_by))
            if link is not None:
                plan.links.append((obj, *link))
                changes["external_id"] = [None, ":".join(link)]
            if changes:
                plan.updates.append((obj, row, changes))
            else:
                plan.unchanged += 1
        return plan

    def external_key(self, row: CleanRow) -> tuple[str, str] | None:
        external_id = row.values.get("external_id")
        if not external_id:
            return None
        return row.values.get("external_system") or importing.DEFAULT_SYSTEM, external_id

    def duplicate(self, row: CleanRow, key: Hashable, what: Any) -> bool:
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.errors.append(
                ("", _("Row %(row)d has the same %(what)s.") % {"row": first, "what": what})
            )
            return True
        return False

    def match(self, row: CleanRow) -> tuple[int, Hashable | None, tuple[str, str] | None] | None:
        """``(pk, matched by, external id to link)`` of the record the row updates, or None;
        adds an error for a row that repeats an earlier one or contradicts an external id."""
        external = self.external_key(row)
        keys = self.keys(row)
        checks = [(("external", *external), gettext_lazy("external id"))] if external else []
        if any(self.duplicate(row, key, what) for key, what in [*checks, *keys]):
            return None
        if external and external in self.external:
            return self.external[external], "external", None
        for key, _what in keys:
            if key in self.index:
                pk = self.index[key]
                if external and self.linked.get((external[0], pk), external[1]) != external[1]:
                    row.errors.append(
                        (
                            "",
                            _("This record already has the external id “%(id)s” in %(system)s.")
                            % {"id": self.linked[external[0], pk], "system": external[0]},
                        )
                    )
                    return None
                return pk, key, external
        return None

    def changes(self, obj: models.Model, row: CleanRow, skipped: set[str]) -> dict[str, list[Any]]:
        changes = {}
        for name, value in self.model_values(row).items():
            if name in skipped or getattr(obj, name) == value:
                continue
            label = name.removesuffix("_id")
            old = getattr(obj, label) if name != label else getattr(obj, name)
            changes[name] = [audit.json_value(old), self.display(row, name, value)]
            setattr(obj, name, value)
        return changes

    def display(self, row: CleanRow, name: str, value: Any) -> Any:
        return row.labels.get(name.removesuffix("_id"), audit.json_value(value))

    def write(self, plan: Plan) -> None:
        now = timezone.now()
        created = self.model._default_manager.bulk_create(
            [self.new_record(row) for row in plan.creates]
        )
        self.created = list(zip(created, plan.creates, strict=True))
        links = [
            (obj, *link)
            for obj, row in self.created
            if (link := self.external_key(row)) is not None
        ]
        columns = {f.attname for f in self.model._meta.concrete_fields}
        changed = {name for _obj, _row, changes in plan.updates for name in changes} & columns
        updated = [obj for obj, _row, _changes in plan.updates]
        for obj in updated:
            obj.version += 1  # type: ignore[attr-defined]
            obj.updated_at = now  # type: ignore[attr-defined]
        if updated:
            self.model._default_manager.bulk_update(
                updated, [*sorted(changed), "version", "updated_at"]
            )
        ExternalId.objects.bulk_create(
            ExternalId(
                content_type=self.content_type,
                object_id=str(obj.pk),
                system=system,
                external_id=external_id,
            )
            for obj, system, external_id in [*plan.links, *links]
        )
        self.write_extra(plan)
        AuditEvent.objects.bulk_create(self.audit_events(plan, now))

    def audit_events(self, plan: Plan, now: Any) -> Iterator[AuditEvent]:
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        common = {
            "actor": actor,
            "actor_label": actor.get_username() if actor else "system",
            "content_type": self.content_type,
            "ip": audit.request_ip.get(),
            "created_at": now,
        }
        for obj, row in self.created:
            changes = {
                name.removesuffix("_id"): [None, self.display(row, name, value)]
                for name, value in self.model_values(row).items()
            }
            yield self.event(obj, "created", {**changes, **self.extra_audit(row)}, common)
        for obj, _row, changes in plan.updates:
            if changes:
                named = {name.removesuffix("_id"): values for name, values in changes.items()}
                yield self.event(obj, "updated", named, common)

    def extra_audit(self, row: CleanRow) -> dict[str, list[Any]]:
        return {}

    def event(
        self, obj: models.Model, action: str, changes: dict[str, Any], common: dict[str, Any]
    ) -> AuditEvent:
        return AuditEvent(
            action=action,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            changes=changes,
            **common,
        )


class UserRefs:
    """Owners by username or e-mail (staff accounts only)."""

    headings: Mapping[str, str]

    def load_users(self) -> None:
        self.users: dict[str, int] = {}
        active = User.objects.filter(is_active=True).exclude(role=Role.CLIENT)
        for pk, username, email in active.values_list("pk", "username", "email"):
            self.users[username.casefold()] = pk
            if email:
                self.users.setdefault(email.casefold(), pk)

    def resolve_owner(self, row: CleanRow) -> None:
        text = row.values.pop("owner", None)
        if text is None:
            return
        pk = self.users.get(text.casefold())
        if pk is None:
            row.errors.append(
                (
                    self.headings["owner"],
                    _("No active colleague has the username or e-mail “%(value)s”.")
                    % {"value": text},
                )
            )
            return
        row.values["owner_id"] = pk
        row.labels["owner"] = text


class ClientRefs:
    """Clients by normalised name or external id (in any connected system)."""

    headings: Mapping[str, str]

    def load_clients(self) -> None:
        self.client_names: dict[str, int] = {}
        short_names: dict[str, int] = {}
        for pk, name, short_name in Client.objects.values_list("pk", "name", "short_name"):
            self.client_names[importing.normalise_name(name)] = pk
            if short_name:
                short_names.setdefault(importing.normalise_name(short_name), pk)
        # A full name wins over another client's equal short name.
        self.client_names = {**short_names, **self.client_names}
        self.client_external: dict[str, set[int]] = defaultdict(set)
        client_type = ContentType.objects.get_for_model(Client)
        for object_id, external_id in ExternalId.objects.filter(
            content_type=client_type
        ).values_list("object_id", "external_id"):
            self.client_external[external_id].add(int(object_id))

    def resolve_client(self, row: CleanRow) -> None:
        text = row.values.pop("client", None)
        if text is None:
            return
        pk = self.client_names.get(importing.normalise_name(text))
        if pk is None and len(self.client_external.get(text, ())) == 1:
            pk = next(iter(self.client_external[text]))
        if pk is None:
            row.errors.append(
                (
                    self.headings["client"],
                    _("No client is named “%(value)s” or has it as external id.") % {"value": text},
                )
            )
            return
        row.values["client_id"] = pk
        row.labels["client"] = text


class ClientImporter(UserRefs, Importer):
    model = Client
    spec = importing.CLIENTS
    relations = ("owner",)

    def load(self) -> None:
        self.load_users()
        for pk, name in Client.objects.values_list("pk", "name"):
            self.index["name", importing.normalise_name(name)] = pk
        self.tags = dict(Tag.objects.values_list("name", "pk"))
        self.current_tags: dict[int, frozenset[str]] = defaultdict(frozenset)

    def resolve(self, row: CleanRow) -> None:
        self.resolve_owner(row)

    def keys(self, row: CleanRow) -> list[tuple[Hashable, Any]]:
        return [
            (("name", importing.normalise_name(row.values["name"])), gettext_lazy("client name"))
        ]

    def skipped(self, row: CleanRow, matched_by: Hashable | None) -> set[str]:
        return {"name"} if matched_by != "external" else set()

    def match(self, row: CleanRow) -> tuple[int, Hashable | None, tuple[str, str] | None] | None:
        found = super().match(row)
        if found and found[1] == "external":
            # A rename through the external id must not take another client's name.
            other = self.index.get(self.keys(row)[0][0])
            if other is not None and other != found[0]:
                row.errors.append(("", _("Another client already has this name.")))
                return None
        return found

    def before_compare(self, existing: dict[Any, models.Model]) -> None:
        self.current_tags = defaultdict(frozenset)
        names = {pk: name for name, pk in self.tags.items()}
        pairs = Client.tags.through.objects.filter(client_id__in=list(existing))
        grouped: dict[int, set[str]] = defaultdict(set)
        for client_id, tag_id in pairs.values_list("client_id", "tag_id"):
            grouped[client_id].add(names[tag_id])
        self.current_tags.update({pk: frozenset(tags) for pk, tags in grouped.items()})

    def changes(self, obj: models.Model, row: CleanRow, skipped: set[str]) -> dict[str, list[Any]]:
        changes = super().changes(obj, row, skipped)
        current, wanted = self.current_tags[obj.pk], row.values.get("tags")
        if wanted is not None and wanted != current:
            changes["tags"] = [sorted(current), sorted(wanted)]
        return changes

    def extra_audit(self, row: CleanRow) -> dict[str, list[Any]]:
        return {"tags": [None, sorted(row.values["tags"])]} if row.values.get("tags") else {}

    def write_extra(self, plan: Plan) -> None:
        """Create the tags the file names for the first time, then set each client's tags."""
        tagged = [(obj, row.values["tags"]) for obj, row in self.created if row.values.get("tags")]
        retagged = [
            (obj, row.values["tags"]) for obj, row, changes in plan.updates if "tags" in changes
        ]
        missing = {name for _obj, tags in tagged + retagged for name in tags} - set(self.tags)
        if missing:
            Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
            self.tags.update(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
        through = Client.tags.through
        if retagged:
            through.objects.filter(client_id__in=[obj.pk for obj, _tags in retagged]).delete()
        through.objects.bulk_create(
            through(client_id=obj.pk, tag_id=self.tags[name])
            for obj, tags in tagged + retagged
            for name in tags
        )


class ContactImporter(ClientRefs, Importer):
    model = Contact
    spec = importing.CONTACTS
    relations = ("client",)

    def load(self) -> None:
        self.load_clients()
        for pk, client_id, name, email, mobile in Contact.objects.values_list(
            "pk", "client_id", "name", "email", "mobile"
        ):
            if email:
                self.index.setdefault(("email", email.lower()), pk)
            if mobile:
                self.index.setdefault(("mobile", mobile), pk)
            self.index.setdefault(("name", client_id, importing.normalise_name(name)), pk)

    def resolve(self, row: CleanRow) -> None:
        self.resolve_client(row)

    def keys(self, row: CleanRow) -> list[tuple[Hashable, Any]]:
        values = row.values
        keys: list[tuple[Hashable, Any]] = []
        if values.get("email"):
            keys.append((("email", values["email"].lower()), gettext_lazy("e-mail")))
        if values.get("mobile"):
            keys.append((("mobile", values["mobile"]), gettext_lazy("mobile")))
        if not keys and "client_id" in values:
            name = importing.normalise_name(values["name"])
            keys.append((("name", values["client_id"], name), gettext_lazy("name at this client")))
        return keys


class OpportunityImporter(ClientRefs, UserRefs, Importer):
    model = Opportunity
    spec = importing.OPPORTUNITIES
    relations = ("client", "owner", "stage")

    def load(self) -> None:
        self.load_clients()
        self.load_users()
        self.stages: dict[str, int] = {}
        self.stage_probability: dict[int, int] = {}
        self.first_stage: int | None = None
        for pk, name_zh, name_en, kind, probability in Stage.objects.values_list(
            "pk", "name_zh", "name_en", "kind", "probability"
        ):
            self.stages.setdefault(name_zh.casefold(), pk)
            self.stages.setdefault(name_en.casefold(), pk)
            self.stage_probability[pk] = probability
            if self.first_stage is None and kind == StageKind.OPEN:
                self.first_stage = pk
        for pk, client_id, title in Opportunity.objects.values_list("pk", "client_id", "title"):
            self.index.setdefault(("title", client_id, importing.normalise_name(title)), pk)

    def resolve(self, row: CleanRow) -> None:
        self.resolve_client(row)
        self.resolve_owner(row)
        text = row.values.pop("stage", None)
        if text is None:
            return
        pk = self.stages.get(text.casefold())
        if pk is None:
            row.errors.append(
                (
                    self.headings["stage"],
                    _("There is no pipeline stage “%(value)s”.") % {"value": text},
                )
            )
            return
        row.values["stage_id"] = pk
        row.labels["stage"] = text

    def keys(self, row: CleanRow) -> list[tuple[Hashable, Any]]:
        if "client_id" not in row.values:
            return []
        title = importing.normalise_name(row.values["title"])
        return [(("title", row.values["client_id"], title), gettext_lazy("title at this client"))]

    def skipped(self, row: CleanRow, matched_by: Hashable | None) -> set[str]:
        return {"title"} if matched_by != "external" else set()

    def new_record(self, row: CleanRow) -> models.Model:
        values = self.model_values(row)
        stage = values.setdefault("stage_id", self.first_stage)
        if "probability" not in values and stage in self.stage_probability:
            values["probability"] = self.stage_probability[stage]
        return Opportunity(**values)


IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.CLIENTS: ClientImporter,
    ImportKind.CONTACTS: ContactImporter,
    ImportKind.OPPORTUNITIES: OpportunityImporter,
}


# ---- running a file through an importer ---------------------------------------------------


def spec_for(kind: str) -> Spec:
    if kind not in importing.SPECS:
        raise ValidationError(
            {"kind": _("Choose what the file holds: clients, contacts or opportunities.")}
        )
    return importing.SPECS[kind]


def file_info(job: ImportJob) -> FileInfo:
    return FileInfo(job.file_format, job.encoding, job.headers, job.rows_total)


def store_progress(job: ImportJob, done: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(rows_done=done)


@contextmanager
def opened(job: ImportJob) -> Iterator[IO[bytes]]:
    with job.file.storage.open(job.file.name or "", "rb") as stored:
        yield getattr(stored, "file", stored)


def chunks(job: ImportJob, stream: IO[bytes]) -> Iterator[list[CleanRow]]:
    spec = spec_for(job.kind)
    columns = [(job.headers.index(heading), key, heading) for key, heading in job.mapping.items()]
    rows = importing.iter_rows(stream, file_info(job))
    while batch := list(itertools.islice(rows, CHUNK_ROWS)):
        yield [importing.clean_row(spec, columns, number, cells) for number, cells in batch]


def run_rows(job: ImportJob, *, write: bool, progress: Progress | None = None) -> Outcome:
    """Check (and with ``write``, import) every row of the job's file.

    With ``write``, call inside a transaction: rows with errors stop the writing unless the
    job says ``valid_only``, and the caller rolls back.
    """
    importer = IMPORTERS[job.kind](job.created_by, job.mapping)
    outcome, done = Outcome(), 0
    with opened(job) as stream:
        for rows in chunks(job, stream):
            plan = importer.plan(rows)
            outcome.add(plan)
            if write and (job.valid_only or not outcome.error_rows):
                importer.write(plan)
            done += len(rows)
            if progress is not None:
                progress(done)
    return outcome


def remembered_mapping(kind: str, headers: list[str]) -> dict[str, str] | None:
    saved = ImportMapping.objects.filter(kind=kind, headers_key=importing.headers_key(headers))
    mapping = saved.values_list("mapping", flat=True).first()
    if mapping is None:
        return None
    # Headings match after normalising; use the spelling of this file.
    by_norm = {importing.normalise_heading(heading): heading for heading in headers}
    return {
        key: by_norm[importing.normalise_heading(heading)]
        for key, heading in mapping.items()
        if importing.normalise_heading(heading) in by_norm
    }


def remember_mapping(kind: str, headers: list[str], mapping: Mapping[str, str]) -> None:
    ImportMapping.objects.update_or_create(
        kind=kind, headers_key=importing.headers_key(headers), defaults={"mapping": dict(mapping)}
    )


@transaction.atomic
def start_import(*, actor: Any, kind: str, upload: File) -> ImportJob:
    """Store the uploaded file and propose a column mapping (the last one used for the same
    headings, else a guess from them). ValidationError, nothing stored, for a file that cannot
    be imported: wrong type or encoding, damaged, no headings, no data rows."""
    spec = spec_for(kind)
    name = (upload.name or "import").rsplit("/", 1)[-1]
    stream = getattr(upload, "file", upload)
    try:
        info = importing.inspect_file(stream, name)
    except FileProblem as problem:
        raise ValidationError({"file": problem.messages}) from None
    job = ImportJob(
        kind=kind,
        file_name=name[:255],
        file_format=info.file_format,
        encoding=info.encoding,
        headers=info.headers,
        rows_total=info.rows,
        created_by=actor,
    )
    job.mapping = remembered_mapping(kind, info.headers) or importing.guess_mapping(
        spec, info.headers
    )
    stream.seek(0)
    job.file.save(f"{kind}.{info.file_format}", File(stream), save=False)
    job.save()
    return job


def _claim(job: ImportJob, allowed: set[str], **changes: Any) -> ImportJob:
    """Move the job on if it is in one of ``allowed`` states (row locked); else ValidationError."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status not in allowed:
        raise ValidationError(
            _("This import is %(status)s; it cannot do that now.")
            % {"status": locked.get_status_display().lower()},
            code="state",
        )
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    return locked


def _start_phase(
    job: ImportJob, phase: str, *, inline: bool, progress: Progress | None
) -> ImportJob:
    """Run the phase now for a small file (or when asked), in the background for a large one."""
    from charter.crm.tasks import run_import_job

    if job.rows_total > BACKGROUND_ROWS and not inline:
        run_import_job.enqueue(job.pk, phase)
        job.refresh_from_db()
        return job
    return run_job(job.pk, phase, progress=progress)


def check_import(
    job: ImportJob,
    *,
    actor: Any,
    mapping: Mapping[str, str],
    inline: bool = False,
    progress: Progress | None = None,
) -> ImportJob:
    """The dry run: remember ``mapping`` for these headings, then count what the file would
    create, update or leave unchanged and list every row's errors; nothing is imported.
    ValidationError for a mapping that misses a required field or uses a column twice.
    ``inline`` runs a large file here too (the command line), reporting to ``progress``."""
    chosen = importing.check_mapping(spec_for(job.kind), job.headers, mapping)
    with transaction.atomic():
        job = _claim(
            job,
            {ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.FAILED},
            mapping=chosen,
            status=ImportStatus.CHECKING,
            rows_done=0,
            message="",
        )
        remember_mapping(job.kind, job.headers, chosen)
    return _start_phase(job, "check", inline=inline, progress=progress)


def commit_import(
    job: ImportJob,
    *,
    actor: Any,
    valid_only: bool = False,
    inline: bool = False,
    progress: Progress | None = None,
) -> ImportJob:
    """Import the checked file in one transaction. Without ``valid_only`` a file with error
    rows imports nothing (ValidationError now if the check found errors); with it, the rows
    with errors are left out. Precondition: the job was checked."""
    if job.error_rows and not valid_only:
        raise ValidationError(
            _(
                "%(count)d rows have errors. Fix the file and upload it again, or choose to "
                "import only the valid rows."
            )
            % {"count": job.error_rows},
            code="row_errors",
        )
    with transaction.atomic():
        job = _claim(
            job,
            {ImportStatus.CHECKED},
            status=ImportStatus.COMMITTING,
            valid_only=valid_only,
            rows_done=0,
        )
    return _start_phase(job, "commit", inline=inline, progress=progress)


# ---- the phases, run inline or by the task ----------------------------------------------------


def _save_outcome(job: ImportJob, outcome: Outcome, status: str, message: str = "") -> None:
    job.to_create, job.to_update = outcome.created, outcome.updated
    job.unchanged, job.error_rows = outcome.unchanged, outcome.error_rows
    job.errors = sorted(outcome.errors, key=lambda error: error["row"])
    job.status, job.message = status, message
    job.rows_done = job.rows_total
    job.finished_at = timezone.now() if status in {ImportStatus.DONE, ImportStatus.FAILED} else None
    job.save()


@contextmanager
def progress_writer(job: ImportJob, *, in_transaction: bool) -> Iterator[Progress]:
    """A callback that stores ``rows_done`` where others see it at once.

    While the commit's transaction is open that takes a second connection; SQLite allows one
    writer at a time, so there the figure is stored when the transaction ends.
    """
    if not in_transaction:
        yield lambda done: store_progress(job, done)
        return
    if connection.vendor == "sqlite":
        yield lambda done: None
        return
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    table = connection.ops.quote_name(ImportJob._meta.db_table)
    sql = f"UPDATE {table} SET rows_done = %s WHERE id = %s"  # noqa: S608 (our table name)

    def write(done: int) -> None:
        with other.cursor() as cursor:
            cursor.execute(sql, [done, job.pk])

    try:
        yield write
    finally:
        other.close()


def _report(*callbacks: Progress | None) -> Progress:
    def report(done: int) -> None:
        for callback in callbacks:
            if callback is not None:
                callback(done)

    return report


def run_job(job_id: int, phase: str, *, progress: Progress | None = None) -> ImportJob:
    """Run ``phase`` ("check" or "commit") of a job that was claimed for it; a job in any other
    state is returned as it is (a task delivered twice does nothing the second time)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    expected = ImportStatus.CHECKING if phase == "check" else ImportStatus.COMMITTING
    if job.status != expected:
        return job
    try:
        if phase == "check":
            with progress_writer(job, in_transaction=False) as stored:
                outcome = run_rows(job, write=False, progress=_report(stored, progress))
            _save_outcome(job, outcome, ImportStatus.CHECKED)
        else:
            _commit(job, progress)
    except ValidationError as error:
        _fail(job, " ".join(error.messages))
    except Exception:
        # Never leave a job "running" for ever: say it stopped, then let the worker log it.
        _fail(job, _("The import stopped because of an internal error; nothing was imported."))
        raise
    return job


def _fail(job: ImportJob, message: str) -> None:
    job.status, job.message, job.finished_at = ImportStatus.FAILED, message, timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])


def _commit(job: ImportJob, progress: Progress | None) -> None:
    try:
        with progress_writer(job, in_transaction=True) as stored, transaction.atomic():
            outcome = run_rows(job, write=True, progress=_report(stored, progress))
            if outcome.error_rows and not job.valid_only:
                raise RowErrors(outcome)
    except RowErrors as failed:
        message = _("Nothing was imported: %(count)d rows have errors.") % {
            "count": failed.outcome.error_rows
        }
        _save_outcome(job, failed.outcome, ImportStatus.FAILED, message)
    except DatabaseError as error:
        message = _("Nothing was imported: the database refused the rows (%(error)s).") % {
            "error": error
        }
        _fail(job, message)
    else:
        _save_outcome(job, outcome, ImportStatus.DONE)
