"""A real SMTP server on 127.0.0.1 for the tests that send email.

Odoo's mail test helpers replace the SMTP connection and make
``mail.mail.unlink`` a no-op: with them, a break of the mail queue after an
email was deleted goes unseen.  ``RealSmtpCase`` starts ``aiosmtpd`` on a free
port, points an outgoing mail server at it, lets Odoo really connect (Odoo
disables sending while tests run) and collects what arrives.
"""

import email
import email.policy
import logging
import socket
import threading
from unittest.mock import patch

from aiosmtpd.controller import Controller

from odoo.addons.base.models.ir_mail_server import IrMail_Server

# aiosmtpd logs every SMTP command at INFO
logging.getLogger("mail.log").setLevel(logging.WARNING)


class _Collector:
    """aiosmtpd handler: keep every message that arrives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "subject": str(message["subject"] or ""),
                    "message_id": str(message["message-id"] or ""),
                    "message": message,
                }
            )
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RealSmtpMixin:
    """Mixin for Odoo test cases: ``self._start_smtp()`` starts the server,
    creates the outgoing mail server and returns the collector, whose
    ``messages`` lists what arrived (one entry per SMTP transaction)."""

    def _start_smtp(self, refuse=False, env=None):
        """``env``: create the outgoing mail server there (a real cursor the
        caller commits, for tests with several transactions) rather than in
        the test's transaction."""
        collector = _Collector()
        port = _free_port()
        if not refuse:  # refuse: nothing listens on the port
            controller = Controller(collector, hostname="127.0.0.1", port=port)
            controller.start()
            self.addCleanup(controller.stop)
        if env is None:
            env = self.env
            env["ir.mail_server"].search([]).active = False
        self.mail_server = env["ir.mail_server"].create(
            {
                "name": "Test SMTP on 127.0.0.1",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        # Odoo never connects while tests run; here it must.
        patcher = patch.object(
            IrMail_Server, "_disable_send", classmethod(lambda cls: False)
        )
        patcher.start()
        self.addCleanup(patcher.stop)
        return collector
