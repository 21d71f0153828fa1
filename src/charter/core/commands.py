"""The ``charter`` subcommands; :mod:`charter.cli` dispatches to :data:`COMMANDS` after setup.

Each command takes its arguments as a list and returns the process exit code. A
:class:`CommandFailed` (or a backup error) is printed as one clear line, never a traceback.
"""

import argparse
import ctypes
import getpass
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils.translation import gettext as _

from charter.accounts.choices import Role
from charter.accounts.models import User
from charter.accounts.services import create_user
from charter.core.backup import BackupError, create_backup, restore_backup

Command = Callable[[list[str]], int]
COMMANDS: dict[str, Command] = {}
# How long a stopped child process may take to finish its current work before it is killed.
STOP_GRACE_SECONDS = 30


class CommandFailed(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


def command(name: str) -> Callable[[Command], Command]:
    """Register a subcommand and turn its expected failures into exit code 1."""

    def register(function: Command) -> Command:
        def run(args: list[str]) -> int:
            try:
                return function(args)
            except (CommandFailed, BackupError) as error:
                print(
                    _("charter %(command)s: %(error)s") % {"command": name, "error": error},
                    file=sys.stderr,
                )
                return 1

        COMMANDS[name] = run
        return run

    return register


def parser(name: str, description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"charter {name}", description=description)


def port_number(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(_("a port is a number from 1 to 65535"))
    return port


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more"))
    return number


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def ensure_database_folder() -> None:
    """SQLite creates its file but not the folder (./var/ on a fresh install)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def migrate_database(*args: str, verbosity: int = 1) -> None:
    """Django's migrate, then the database cache's table (a no-op for other caches)."""
    call_command("migrate", *args, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)


@command("migrate")
def migrate(args: list[str]) -> int:
    migrate_database(*args)
    return 0


# --- createadmin ----------------------------------------------------------------------------


def ask(prompt: str, *, secret: bool = False) -> str:
    try:
        return (getpass.getpass(prompt) if secret else input(prompt)).strip()
    except (EOFError, KeyboardInterrupt):
        print()
        raise CommandFailed(_("cancelled; no account was created.")) from None


def checked_password(password: str, user: User) -> str:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise CommandFailed(messages(error)) from None
    return password


def ask_password(user: User) -> str:
    """Prompt until the two entries match and the password passes the validators."""
    while True:
        password = ask(_("Password: "), secret=True)
        if password != ask(_("Password (again): "), secret=True):
            print(_("The two passwords differ. Try again."), file=sys.stderr)
            continue
        try:
            return checked_password(password, user)
        except CommandFailed as error:
            print(error, file=sys.stderr)


def admin_password(user: User, *, interactive: bool) -> str:
    password = os.environ.get("CHARTER_ADMIN_PASSWORD", "")
    if password:
        return checked_password(password, user)
    if not interactive:
        raise CommandFailed(
            _(
                "set the password in the CHARTER_ADMIN_PASSWORD environment variable, "
                "or run charter createadmin without --username to be asked for it."
            )
        )
    return ask_password(user)


@command("createadmin")
def createadmin(args: list[str]) -> int:
    cli = parser("createadmin", _("Create an administrator account."))
    cli.add_argument("--username", help=_("without it, every value is asked for"))
    cli.add_argument("--email", default=None)
    cli.add_argument("--name", default="", help=_("the display name"))
    options = cli.parse_args(args)
    interactive = options.username is None
    username = options.username or ask(_("Username: "))
    if not username:
        raise CommandFailed(_("a username is required."))
    if User.objects.filter(username=username).exists():
        raise CommandFailed(_("a user named “%(name)s” already exists.") % {"name": username})
    email = options.email
    if email is None and interactive:
        email = ask(_("E-mail address (optional): "))
    fields = {
        "username": username,
        "email": email or "",
        "display_name": options.name,
        "role": Role.ADMIN,
    }
    password = admin_password(User(**fields), interactive=interactive)
    try:
        create_user(actor=None, password=password, **fields)
    except ValidationError as error:
        raise CommandFailed(messages(error)) from None
    print(_("Administrator “%(name)s” created.") % {"name": username})
    return 0


# --- serve, worker, demo --------------------------------------------------------------------


def shown_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104 (only displayed)
    return f"http://{shown}:{port}/"


def bind_address(value: str) -> tuple[str, int]:
    host, _sep, port = value.rpartition(":")
    try:
        return host, port_number(port)
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(_("use HOST:PORT, e.g. 0.0.0.0:8000")) from None


@command("serve")
def serve(args: list[str]) -> int:
    cli = parser("serve", _("Run the production web server (gunicorn)."))
    cli.add_argument("--bind", type=bind_address, default="0.0.0.0:8000")
    cli.add_argument("--workers", type=positive, default=2 * (os.cpu_count() or 1) + 1)
    options = cli.parse_args(args)
    host, port = options.bind
    call_command("collectstatic", interactive=False, verbosity=0)
    print(
        _("Charter is serving at %(url)s (%(workers)d workers); stop it with Ctrl+C.")
        % {"url": shown_url(host, port), "workers": options.workers},
        flush=True,
    )
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(options.workers),
        "--access-logfile",
        "-",
        "charter.wsgi:application",
    ]
    os.execv(sys.executable, gunicorn)  # noqa: S606 (our own interpreter and arguments)


@command("worker")
def worker(args: list[str]) -> int:
    from charter.comms.scheduler import run_due
    from charter.comms.tasks import deliver_due_messages
    from charter.core import ticker
    from charter.resources.reminders import remind_missing_timesheets

    deliver_due_messages.enqueue()  # messages that fell due while no worker ran
    # Every minute: the communication plan's due occurrences, last week's missing timesheets.
    ticker.start([run_due, remind_missing_timesheets])
    # The worker's own SIGTERM handling finishes the running task, then exits 0.
    call_command("db_worker", "--queue-name=*", "--no-reload", *args)
    return 0


def die_with_parent() -> None:
    """In the child (Linux): receive SIGTERM when the parent dies, even by SIGKILL."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn(*args: str) -> subprocess.Popen[bytes]:
    """Another ``charter`` process, in its own session so a terminal's Ctrl+C reaches only us
    (we then stop each child exactly once)."""
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "charter.cli", *args],
        start_new_session=True,
        preexec_fn=die_with_parent if sys.platform == "linux" else None,
    )


def stop(child: subprocess.Popen[bytes]) -> int:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        return child.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()


def supervise(children: list[subprocess.Popen[bytes]]) -> int:
    """Run until Ctrl+C/SIGTERM or until a child ends; then stop every child exactly once.

    Returns 0 when asked to stop, else the exit code of the child that ended first.
    """
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping.is_set() and all(child.poll() is None for child in children):
            stopping.wait(0.5)
        ended = [child.returncode for child in children if child.returncode is not None]
        codes = [stop(child) for child in children]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping.is_set():
        return 0
    return (ended or codes)[0] or 1


def print_demo_banner(port: int, seeded: bool) -> None:
    from charter.demo.seed import DEMO_PASSWORD, demo_logins

    print(
        _("Demo data loaded.")
        if seeded
        else _("Using the existing data (demo data is loaded only into a database without users).")
    )
    logins = demo_logins()
    if logins:
        print(_("Sign in as (password for all: %(password)s):") % {"password": DEMO_PASSWORD})
        for role, username, name in logins:
            print(f"  {username:<10} {name} ({role})")
    print(
        _("Charter demo: %(url)s  (stop it with Ctrl+C)") % {"url": shown_url("", port)}, flush=True
    )


@command("demo")
def demo(args: list[str]) -> int:
    from charter.demo.seed import seed_demo

    cli = parser("demo", _("Migrate, load demo data once, run the server and a worker."))
    cli.add_argument("--port", type=port_number, default=8000)
    options = cli.parse_args(args)
    migrate_database(verbosity=0)
    print_demo_banner(options.port, seed_demo())
    # A separate worker sends what the web process queues (e.g. password-reset e-mails).
    return supervise(
        [spawn("worker"), spawn("runserver", f"127.0.0.1:{options.port}", "--noreload")]
    )


# --- backup, restore ------------------------------------------------------------------------


def archive_path(name: str, args: list[str], description: str) -> str:
    cli = parser(name, description)
    cli.add_argument("file", metavar="FILE")
    return str(cli.parse_args(args).file)


@command("backup")
def backup(args: list[str]) -> int:
    path = archive_path("backup", args, _("Write all data and uploaded files to FILE (a zip)."))
    summary = create_backup(path)
    print(
        _("Backup written to %(path)s: %(rows)d rows, %(files)d files.")
        % {"path": path, "rows": summary.rows, "files": summary.files}
    )
    return 0


@command("restore")
def restore(args: list[str]) -> int:
    path = archive_path("restore", args, _("Load a backup into an empty database."))
    summary = restore_backup(path)
    migrate_database(verbosity=0)
    print(
        _("Restored %(rows)d rows and %(files)d files from %(path)s.")
        % {"path": path, "rows": summary.rows, "files": summary.files}
    )
    return 0


# --- import ---------------------------------------------------------------------------------

PROGRESS_WIDTH = 30


def progress_bar(total: int, out: Any = None) -> Callable[[int], None]:
    """A text bar on one terminal line, redrawn in place as rows are done."""

    def show(done: int) -> None:
        stream = out or sys.stdout
        filled = PROGRESS_WIDTH * done // total if total else PROGRESS_WIDTH
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        stream.write(f"\r[{bar}] {done}/{total} " + _("rows"))
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def import_mapping(option: str, job: Any) -> dict[str, str]:
    """``auto``: the remembered or guessed mapping; else a JSON file ``{field: heading}``."""
    import json

    if option == "auto":
        return dict(job.mapping)
    try:
        with open(option, encoding="utf-8") as mapping_file:
            mapping = json.load(mapping_file)
    except (OSError, ValueError) as error:
        raise CommandFailed(
            _("cannot read the mapping file %(path)s: %(error)s") % {"path": option, "error": error}
        ) from None
    if not isinstance(mapping, dict):
        raise CommandFailed(_("the mapping file must hold a JSON object {field: heading}."))
    return mapping


def print_import_summary(job: Any, *, done: bool) -> None:
    counts = {
        "create": job.to_create,
        "update": job.to_update,
        "unchanged": job.unchanged,
        "errors": job.error_rows,
    }
    if done:
        text = _(
            "Imported: %(create)d created, %(update)d updated, %(unchanged)d unchanged, "
            "%(errors)d rows with errors left out."
        )
    else:
        text = _(
            "Checked: %(create)d to create, %(update)d to update, %(unchanged)d unchanged, "
            "%(errors)d rows with errors."
        )
    print(text % counts)
    for error in job.errors:
        print(
            _("row %(row)d, %(column)s: %(message)s") % {**error, "column": error["column"] or "-"},
            file=sys.stderr,
        )


@command("import")
def import_file(args: list[str]) -> int:
    from django.core.files import File

    from charter.crm.choices import ImportKind, ImportStatus
    from charter.crm.services import imports

    cli = parser("import", _("Import clients, contacts or opportunities from a CSV or XLSX file."))
    cli.add_argument("kind", choices=ImportKind.values)
    cli.add_argument("file", metavar="FILE")
    cli.add_argument(
        "--mapping",
        default="auto",
        help=_("auto (remembered or guessed from the headings), or a JSON file {field: heading}"),
    )
    cli.add_argument("--dry-run", action="store_true", help=_("check only; import nothing"))
    cli.add_argument(
        "--valid-only", action="store_true", help=_("import the valid rows, leave out the others")
    )
    options = cli.parse_args(args)
    try:
        upload = open(options.file, "rb")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise CommandFailed(str(error)) from None
    try:
        with upload:
            job = imports.start_import(
                actor=None, kind=options.kind, upload=File(upload, Path(options.file).name)
            )
        bar = progress_bar(job.rows_total)
        job = imports.check_import(
            job, actor=None, mapping=import_mapping(options.mapping, job), inline=True, progress=bar
        )
        has_errors = job.error_rows > 0 and not options.valid_only
        if options.dry_run or has_errors:
            print_import_summary(job, done=False)
            return 1 if has_errors else 0
        job = imports.commit_import(
            job, actor=None, valid_only=options.valid_only, inline=True, progress=bar
        )
    except ValidationError as error:
        raise CommandFailed(messages(error)) from None
    if job.status != ImportStatus.DONE:
        raise CommandFailed(job.message)
    print_import_summary(job, done=True)
    return 0
