"""19.0.2.0.0: one views file per model, no view of the addon inheriting
another one of the addon.  The old inherited views would be validated
against the new base views before the upgrade deletes them: drop the
addon's inherited views first; the upgrade creates the new ones.
"""


def migrate(cr, version):
    cr.execute(
        """
        DELETE FROM ir_ui_view view
         USING ir_model_data data
         WHERE data.model = 'ir.ui.view'
           AND data.module = 'account_relance'
           AND data.res_id = view.id
           AND view.inherit_id IS NOT NULL
        """
    )
    cr.execute(
        """
        DELETE FROM ir_model_data data
         WHERE data.model = 'ir.ui.view'
           AND data.module = 'account_relance'
           AND NOT EXISTS (SELECT 1 FROM ir_ui_view view WHERE view.id = data.res_id)
        """
    )
