"""Plain-Python cores of the addon: no database, no ``odoo`` import."""
