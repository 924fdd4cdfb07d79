"""Copy the front-end packages installed by `npm ci` into src/samvirke/static/vendor/ (not committed).

Run by `make static`; collectstatic then picks them up like any other static file. No CDN at run time.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "samvirke" / "static" / "vendor"

FILES = {
    "@digdir/designsystemet-css/dist/src/index.css": "designsystemet/designsystemet.css",
    "@digdir/designsystemet-css/dist/theme/designsystemet.css": "designsystemet/theme.css",
    "@digdir/designsystemet-web/dist/umd/index.js": "designsystemet/designsystemet-web.js",
    # The bundle names its source map by its original file name; the production storage resolves it.
    "@digdir/designsystemet-web/dist/umd/index.js.map": "designsystemet/index.js.map",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    # Swagger UI for the API docs at /api/v1/docs (see samvirke/api/api.py).
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
    "swagger-ui-dist/swagger-ui.css.map": "swagger-ui/swagger-ui.css.map",
    "swagger-ui-dist/LICENSE": "swagger-ui/LICENSE",
}


def main() -> int:
    missing = [src for src in FILES if not (NODE / src).exists()]
    if missing:
        print("Missing front-end packages (run `npm ci`):", *missing, sep="\n  ", file=sys.stderr)
        return 1
    for src, dest in FILES.items():
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)
    print(f"Vendored {len(FILES)} front-end files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
