"""Print Odoo's requirements.txt pinned for the newest Python it lists.

Odoo 19.0 pins, for Python 3.11, a few old releases that no longer build
(cbor2 5.4.2, ...).  For every package we keep the line whose environment
marker holds for the newest Python Odoo supports, which installs cleanly on
Python 3.11 too.  python-ldap (needs system headers, unused here) and the
Windows-only packages are left out.
"""

import re
import sys

from pip._vendor.packaging.markers import Marker

NEWEST = {
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "sys_platform": "linux",
}
SKIP = {"python-ldap", "pypiwin32", "rl-renderpm"}


def main(path):
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            spec, _sep, marker = line.partition(";")
            name = re.split(r"[=<>!~ ]", spec.strip(), maxsplit=1)[0].lower()
            if name in SKIP:
                continue
            if marker.strip() and not Marker(marker.strip()).evaluate(NEWEST):
                continue
            print(spec.strip())


if __name__ == "__main__":
    main(sys.argv[1])
