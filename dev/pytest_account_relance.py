"""pytest plugin: import the checkout's tests as ``odoo.addons.account_relance``.

Odoo loads the addon through the `.addons/account_relance` link, whatever the
checkout's folder is called, but pytest names test modules after the real
folder (``main.tests.test_x``).  pytest-odoo prefixes that with
``odoo.addons.``; this plugin also renames the folder to the addon's name, so
that the tests import the very modules Odoo loaded.
"""

import _pytest.pathlib

ADDON = "account_relance"


def pytest_configure(config):
    resolve = _pytest.pathlib.resolve_pkg_root_and_module_name

    def resolve_pkg_root_and_module_name(path, *, consider_namespace_packages=False):
        pkg_root, module_name = resolve(
            path, consider_namespace_packages=consider_namespace_packages
        )
        parts = module_name.split(".")
        if parts[:2] == ["odoo", "addons"] and len(parts) > 2 and parts[2] != ADDON:
            if (config.rootpath / "__manifest__.py").is_file() and parts[
                2
            ] == config.rootpath.name:
                module_name = ".".join(["odoo", "addons", ADDON, *parts[3:]])
        return pkg_root, module_name

    _pytest.pathlib.resolve_pkg_root_and_module_name = resolve_pkg_root_and_module_name
