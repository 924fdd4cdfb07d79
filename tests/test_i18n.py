"""Translations: complete, not fuzzy, up to date with the code, and used by the pages.

Norwegian bokmål is the default language; Swedish and English are offered. The msgids in the code are
English, so the English catalogue only needs plural forms.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "samvirke"
LOCALE = SRC / "locale"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w*\}")


def _root_conftest():
    """The project's conftest module (imported by path: tests/browser has a conftest of its own)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("samvirke_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[dict]:
    """A small .po reader (the stdlib has none): one dict per entry with its flags and strings."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line):
                key = match.group(1)
                entry[key] = _unquote(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += _unquote(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _untranslated(entries: list[dict]) -> list[str]:
    problems = []
    for entry in entries[1:]:  # the first entry is the header
        msgid = entry["msgid"]
        if entry["obsolete"]:
            continue
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {msgid!r}")
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not translations or not all(t.strip() for t in translations):
            problems.append(f"untranslated: {msgid!r}")
            continue
        if "python-format" in entry["flags"] or "python-brace-format" in entry["flags"]:
            wanted = set(_PLACEHOLDER.findall(msgid + entry.get("msgid_plural", "")))
            for text in translations:
                if set(_PLACEHOLDER.findall(text)) != wanted:
                    problems.append(f"placeholders differ: {msgid!r} -> {text!r}")
    return problems


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_catalogue_is_complete_and_not_fuzzy(language):
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 200, "the catalogue looks empty; run `make messages`"
    header = entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"], "the header is fuzzy, so msgfmt would ignore it"
    assert f"Language: {language}\n" in header["msgstr"]
    assert f"Plural-Forms: {PLURAL_FORMS}\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    problems = _untranslated(entries)
    assert not problems, f"{language}: {len(problems)} problems:\n" + "\n".join(problems)


def test_english_catalogue_has_plural_forms():
    entries = parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    assert f"Plural-Forms: {PLURAL_FORMS}\n" in entries[0]["msgstr"]
    for entry in entries[1:]:
        assert "fuzzy" not in entry["flags"], f"fuzzy entry in the English catalogue: {entry['msgid']!r}"
        if "msgid_plural" in entry and not entry["obsolete"]:
            assert entry["msgstr[0]"] and entry["msgstr[1]"], entry["msgid"]


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_catalogue_compiles_cleanly(language, tmp_path):
    """msgfmt --check also verifies format strings and the header."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext (msgfmt) is missing: apt-get install gettext"
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_catalogues_are_up_to_date_with_the_code(tmp_path):
    """Extract the strings again from a copy of the code: nothing may be missing from nb or sv.

    This fails when someone adds a user-facing string without running `make messages` and translating it.
    """
    copy = tmp_path / "samvirke"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    script = (
        "import django, os, sys;"
        "from django.conf import settings;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'samvirke.config.settings');"
        "django.setup();"
        f"settings.LOCALE_PATHS = [{str(copy / 'locale')!r}];"
        "from django.core.management import call_command;"
        "call_command('makemessages', locale=['nb', 'sv'], no_obsolete=True, ignore_patterns=['static'],"
        " verbosity=0)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for language in ("nb", "sv"):
        fresh = parse_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        problems = _untranslated(fresh)
        assert not problems, (
            f"{language}: strings in the code lack a translation; run `make messages` and translate:\n"
            + "\n".join(problems)
        )


def test_front_page_defaults_to_bokmal(demo):
    body = Client().get("/").content.decode()
    assert '<html lang="nb"' in body
    assert "Logg inn" in body
    assert "Hopp til hovedinnholdet" in body


def test_anonymous_browser_language_is_respected(demo):
    body = Client(HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9").get("/accounts/login/").content.decode()
    assert '<html lang="sv"' in body
    assert "Logga in i Samvirke" in body


def test_overview_in_bokmal_by_default(signed_in):
    client = signed_in("demo-coordinator")
    response = client.get("/overview/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="nb"' in body
    assert "Kommuner" in body
    assert "Beredskapskontakter" in body
    assert "Pågående hendelser" in body
    assert "Regionoversikt" in body
    assert "9 kommuner med" in body


def test_switching_to_swedish_is_saved_on_the_user(signed_in):
    client = signed_in("demo-coordinator")
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/overview/"})
    assert response.status_code == 302
    assert response["Location"] == "/overview/"
    body = client.get("/overview/").content.decode()
    assert '<html lang="sv"' in body
    assert "Kommuner" in body
    assert "Regionöversikt" in body
    assert "Pågående händelser" in body
    assert "Senaste meddelandena" in body
    assert "9 kommuner med" in body and "invånare" in body
    user = get_user_model().objects.get(username="demo-coordinator")
    assert user.language == "sv"
    # The choice follows the user to a new session, even if the browser asks for Norwegian.
    fresh = _root_conftest().sign_in(Client(HTTP_ACCEPT_LANGUAGE="nb"), "demo-coordinator", verify=False)
    assert '<html lang="sv"' in fresh.get("/accounts/mfa/verify/").content.decode()


def test_overview_in_english(signed_in):
    client = signed_in("demo-coordinator")
    client.post("/i18n/setlang/", {"language": "en", "next": "/overview/"})
    body = client.get("/overview/").content.decode()
    assert '<html lang="en"' in body
    assert "Municipalities" in body
    assert "Preparedness contacts" in body
    assert "9 municipalities with" in body


def test_unknown_language_is_ignored(signed_in):
    client = signed_in("demo-coordinator")
    client.post("/i18n/setlang/", {"language": "xx", "next": "/overview/"})
    assert get_user_model().objects.get(username="demo-coordinator").language == "nb"
    assert '<html lang="nb"' in client.get("/overview/").content.decode()


def test_access_level_labels_are_translated(signed_in):
    body = signed_in("demo-coordinator").get("/notices/").content.decode()
    assert "TLP:AMBER – eier og de det er delt med" in body or "TLP:GREEN – regionen" in body
