"""Fail when a test was skipped for a reason tests/allowed_skips.txt does not give.

A skipped test proves nothing, and Odoo turns some failures into skips (a PDF
of several records with an unpatched wkhtmltopdf, a missing browser, ...).
The allowed skips live in one place: one line per test, `test id  # reason`.
"""

import pathlib
import sys
import xml.etree.ElementTree as ET


def main(junit, allowed_file):
    path = pathlib.Path(allowed_file)
    allowed = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            test_id = line.split("#", 1)[0].strip()
            if test_id:
                allowed.add(test_id)
    unexpected = []
    for case in ET.parse(junit).iter("testcase"):
        skipped = case.find("skipped")
        if skipped is None:
            continue
        test_id = f"{case.get('classname')}.{case.get('name')}"
        if test_id not in allowed:
            unexpected.append(f"{test_id}: {skipped.get('message')}")
    for line in unexpected:
        print(f"skipped, and not in {allowed_file}: {line}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
