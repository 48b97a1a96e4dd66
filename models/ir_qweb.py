from lxml import etree

from odoo import models


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        """A batch of reminder emails renders one template's source for many
        reminders: compiled once for the batch (the context key
        ``relance_qweb_cache``, a dict the batch passes), rather than once
        per record as Odoo compiles a template that is not a view (20 ms
        each, most of an email's cost)."""
        cache = self.env.context.get("relance_qweb_cache")
        if cache is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        key = (
            etree.tostring(template),
            tuple(
                str(self.env.context.get(key) or False)
                for key in self._get_template_cache_keys()
            ),
        )
        if key not in cache:
            cache[key] = super()._compile(template)
        return cache[key]
