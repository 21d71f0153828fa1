"""The Chinese and English catalogues are complete and their compiled .mo files are current."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
LOCALES = ["zh_Hans", "en"]


def catalogue(locale: str) -> polib.POFile:
    return polib.pofile(str(PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_po_file(locale):
    po = catalogue(locale)
    mo = polib.mofile(str(PACKAGE / "locale" / locale / "LC_MESSAGES" / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry for entry in mo}
    for entry in po.translated_entries():
        found = compiled.get((entry.msgctxt, entry.msgid))
        assert found is not None, f"{locale}: {entry.msgid!r} is not compiled: run `make messages`"
        assert (found.msgstr, found.msgstr_plural) == (entry.msgstr, entry.msgstr_plural), (
            entry.msgid
        )


def test_every_chinese_string_is_translated():
    po = catalogue("zh_Hans")
    missing = [
        entry.msgid
        for entry in po
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert missing == [], f"untranslated or fuzzy in zh_Hans: {missing[:20]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogue_holds_every_string_of_the_code(tmp_path):
    """Extract strings from a copy of the package and compare with the committed catalogue."""
    copy = tmp_path / "charter"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "charter.testing.settings",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PACKAGE.parent),
        },
    )
    extracted = {
        entry.msgid for entry in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))
    }
    committed = {entry.msgid for entry in catalogue("zh_Hans") if not entry.obsolete}
    assert sorted(extracted - committed) == [], (
        "new strings: run `make messages` and translate them"
    )
