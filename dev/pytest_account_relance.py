"""pytest plugin: import the checkout's tests as ``odoo.addons.account_relance``.

Odoo loads the addon through the `.addons/account_relance` link, whatever the
checkout's folder is called, but pytest names test modules after the real
folder (``main.tests.test_x``), and after nothing at all when the folder's
name is no Python name (``account_relance-main``, what "Download ZIP" gives):
the addon's own ``__init__.py`` is then imported as a top-level module and
its relative imports fail.  Every file of the checkout is named here from
its path inside the checkout, so that the tests import the very modules Odoo
loaded, whatever the folder is called.  The bridge modules of ``bridges/``
are addons of their own: ``odoo.addons.<bridge>``.
"""

import _pytest.pathlib

ADDON = "account_relance"


def pytest_configure(config):
    resolve = _pytest.pathlib.resolve_pkg_root_and_module_name
    root = config.rootpath

    def resolve_pkg_root_and_module_name(path, *, consider_namespace_packages=False):
        if (root / "__manifest__.py").is_file() and path.is_relative_to(root):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts[:1] == ["bridges"] and len(parts) > 1:
                # bridges/<module>/...: a module of its own
                return root / "bridges", ".".join(["odoo", "addons", *parts[1:]])
            return root.parent, ".".join(["odoo", "addons", ADDON, *parts])
        return resolve(path, consider_namespace_packages=consider_namespace_packages)

    _pytest.pathlib.resolve_pkg_root_and_module_name = resolve_pkg_root_and_module_name
