"""Parse every XML and CSV file of the addon: a broken one fails the lint."""

import csv
import pathlib
import sys

from lxml import etree

SKIP = {".venv", ".venv-lint", ".local", ".addons", "node_modules", ".git"}


def main(root):
    errors = []
    for path in sorted(pathlib.Path(root).rglob("*")):
        if SKIP.intersection(path.relative_to(root).parts) or not path.is_file():
            continue
        if path.suffix == ".xml":
            try:
                etree.parse(str(path))
            except etree.XMLSyntaxError as exc:
                errors.append(f"{path}: {exc}")
        elif path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            width = len(rows[0]) if rows else 0
            errors.extend(
                f"{path}:{number}: {len(row)} columns, the header has {width}"
                for number, row in enumerate(rows, 1)
                if row and len(row) != width
            )
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
