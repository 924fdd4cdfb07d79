"""Fill given translations into a .po file and clear their fuzzy flags (a small helper for translators).

Usage: python scripts/po_fill.py LANG translations.json   (JSON: {msgid: msgstr or [singular, plural]})
"""

import json
import re
import sys
from pathlib import Path


def _unquote(lines):
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def _quote(text):
    return json.dumps(text, ensure_ascii=False)


def fill(po_path: Path, translations: dict) -> int:
    blocks = po_path.read_text().split("\n\n")
    changed = 0
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        msgid_lines, mode = [], None
        for line in lines:
            if line.startswith("msgid "):
                mode = "id"
            elif line.startswith(("msgid_plural", "msgstr")):
                mode = "other"
            if mode == "id" and (line.startswith("msgid ") or line.startswith('"')):
                msgid_lines.append(line)
        msgid = _unquote(msgid_lines) if msgid_lines else None
        if not msgid or msgid not in translations:
            continue
        value = translations[msgid]
        head = [line for line in lines if line.startswith("#") and not line.startswith("#|")]
        head = [re.sub(r",\s*fuzzy", "", line) if line.startswith("#,") else line for line in head]
        head = [line for line in head if line.strip() != "#,"]
        # The entry starts at its context (msgctxt, kept as it is) or at its msgid.
        body_start = next(n for n, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
        body = []
        for line in lines[body_start:]:
            if line.startswith("msgstr"):
                break
            body.append(line)
        if isinstance(value, list):
            body += [f"msgstr[0] {_quote(value[0])}", f"msgstr[1] {_quote(value[1])}"]
        else:
            body.append(f"msgstr {_quote(value)}")
        blocks[i] = "\n".join(head + body)
        changed += 1
    po_path.write_text("\n\n".join(blocks))
    return changed


if __name__ == "__main__":
    lang, source = sys.argv[1], sys.argv[2]
    po = Path(__file__).resolve().parent.parent / "src/samvirke/locale" / lang / "LC_MESSAGES/django.po"
    print(fill(po, json.loads(Path(source).read_text())), "entries filled in", po)
