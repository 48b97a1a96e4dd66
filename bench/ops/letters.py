"""Benchmark: 500 customers' reminder letters printed into one PDF.

``account_relance``: ``relance.reminder.send._print_letters()`` renders the letters
by chunks (one wkhtmltopdf call per chunk, one process per core at a time)
and merges them with pypdf.
``oca_credit_control``: OCA ``account_credit_control`` prints the same
customers' letters with its ``credit.control.printer`` wizard and its
``report_credit_control_summary`` report.  Debian's unpatched wkhtmltopdf
refuses several documents per call (UserError), so the peer's fallback is
what its users do: print each communication and merge the PDFs.

Set ``RELANCE_BENCH_LETTERS`` to print fewer letters (default 500; the
operation is named after the number: ``print_500_letters``), and
``RELANCE_BENCH_LETTER_PROCESSES`` to set ``account_relance.letter_processes``
(default: one per core).
"""

import io
import os

from _common import oca_credit_lines, overdue_lines, relance_reminders

from odoo import Command
from odoo.exceptions import UserError

LETTERS = int(os.environ.get("RELANCE_BENCH_LETTERS", "500"))


def register(bench):
    name = f"print_{LETTERS}_letters"
    bench.add(name, "account_relance", _print_relance, setup=_setup_relance)
    bench.add(name, "oca_credit_control", _print_oca, setup=_setup_oca)


def _customers(env):
    """The customers to write to, each given a postal address if it has none."""
    by_partner = overdue_lines(env, LETTERS)
    partners = env["res.partner"].union(*by_partner)
    no_address = partners.filtered(
        lambda p: not (p.street and p.zip and p.city and p.country_id)
    )
    if no_address:
        no_address.write(
            {
                "street": "10 rue de la République",
                "zip": "69002",
                "city": "Lyon",
                "country_id": env.ref("base.fr").id,
            }
        )
    return by_partner


def _setup_relance(env):
    processes = os.environ.get("RELANCE_BENCH_LETTER_PROCESSES")
    if processes:
        env["ir.config_parameter"].set_param(
            "account_relance.letter_processes", processes
        )
    return relance_reminders(
        env,
        _customers(env),
        "Bench letters",
        {
            "name": "Reminder 2",
            "tone": "firm",
            "offset_days": 15,
            "channel_letter": True,
            "apply_charges": True,
        },
    )


def _print_relance(env, reminders):
    pdf, printed, refused = env["relance.reminder.send"]._print_letters(reminders)
    assert len(printed) == len(reminders) and not refused, refused.mapped(
        "error_message"
    )
    return pdf


def _setup_oca(env):
    lines = oca_credit_lines(env, _customers(env), "Bench letters", "letter")
    return env["credit.control.printer"].create({"line_ids": [Command.set(lines.ids)]})


def _print_oca(env, printer):
    action = printer.print_lines()
    comm_ids = action["context"]["active_ids"]
    Report = env["ir.actions.report"].with_context(force_report_rendering=True)
    report = "account_credit_control.report_credit_control_summary"
    try:
        pdf, __ = Report._render_qweb_pdf(report, comm_ids)
    except UserError:
        # Unpatched wkhtmltopdf: one document per call, then merge.
        streams = [
            io.BytesIO(Report._render_qweb_pdf(report, [comm_id])[0])
            for comm_id in comm_ids
        ]
        with Report._merge_pdfs(streams) as merged:
            pdf = merged.getvalue()
    return pdf
