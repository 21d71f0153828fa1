"""The ``charter`` command. Run ``charter help`` for the list of commands."""

import os
import sys
from collections.abc import Sequence

USAGE = """\
usage: charter COMMAND [ARGS]

  serve [--bind HOST:PORT] [--workers N]   run the production web server (gunicorn)
  demo [--port N]                          migrate, load demo data once, run server + worker
  migrate                                  create or update the database tables
  createadmin                              create an administrator account
  worker                                   run background tasks until SIGTERM
  import KIND FILE [--dry-run] [--valid-only]
                                           import clients, contacts or opportunities (CSV/XLSX)
  backup FILE                              write all data and uploaded files to FILE
  restore FILE                             load a backup into an empty database
  help                                     show this text

Any other command is passed to Django's management commands (charter check --deploy, charter shell).
Configuration comes from CHARTER_* environment variables; see README.md.
"""


def terminal_language() -> str:
    """Chinese on a terminal whose locale is Chinese (LANG=zh_CN.UTF-8 …), English otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.settings")
    if not args or args[0] in {"help", "-h", "--help"}:
        print(USAGE, end="")
        return 0
    command, rest = args[0], args[1:]
    if command == "demo":
        os.environ.setdefault("CHARTER_DEBUG", "true")
    try:
        import django

        django.setup()
    except Exception as error:  # settings errors must read as a message, not a traceback
        from django.core.exceptions import ImproperlyConfigured

        if isinstance(error, ImproperlyConfigured):
            print(f"charter: configuration error: {error}", file=sys.stderr)
            return 2
        raise
    from django.utils import translation

    from charter.core import commands

    translation.activate(terminal_language())
    commands.ensure_database_folder()
    handler = commands.COMMANDS.get(command)
    if handler is None:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["charter", command, *rest])
        return 0
    return handler(rest)


if __name__ == "__main__":
    sys.exit(main())
