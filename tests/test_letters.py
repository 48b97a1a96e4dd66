from odoo.tests import tagged

from .common_letters import RelanceLetterCommon


@tagged("post_install", "-at_install")
class TestLetters(RelanceLetterCommon):
    pass
