"""French number formatting and plural forms in the addon's messages: the
decision's explanations ("9,3 jours", "décalés de 1 jour") and the counts of
the other messages."""

from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon

from ..engine import decision


@tagged("post_install", "-at_install")
class TestFrenchWording(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.engine = cls.env["relance.engine"].with_context(lang="fr_FR")
        cls.plan = decision.Plan(
            id=1, levels=(decision.Level(1, "Relance amiable", 3),)
        )

    def test_decimal_comma_and_plural(self):
        wording = self.engine._get_wording()
        _shift, note = decision.adaptive_shift(self.plan, (9.3, 6), wording)
        self.assertIn("9,3 jours de retard en moyenne sur 6 factures réglées", note)
        self.assertIn("décalés de 9 jours", note)
        self.assertNotIn("9.3", note)
        _shift, note = decision.adaptive_shift(self.plan, (1.3, 6), wording)
        self.assertIn("décalés de 1 jour ", note, "one day, singular")
        self.assertIn("1,3 jour de retard", note, "1,3 takes the singular in French")
        few = decision.Plan(id=1, levels=self.plan.levels, adaptive_min_sample=3)
        _shift, note = decision.adaptive_shift(few, (5.0, 1), wording)
        self.assertIn("1 facture réglée,", note)

    def test_counts_of_other_messages(self):
        quantity = self.engine._format_quantity
        one, other = "%(count)s courrier imprimé", "%(count)s courriers imprimés"
        self.assertEqual(quantity(1, one, other), "1 courrier imprimé")
        self.assertEqual(quantity(3, one, other), "3 courriers imprimés")
        thousands = quantity(1500, one, other)
        self.assertTrue(thousands.endswith("courriers imprimés"))
        self.assertNotIn(",", thousands)
