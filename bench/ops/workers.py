"""Benchmark: two real Odoo servers share a day's sending.

``send_<N>_two_workers``: ``N`` reminders "to send" (an automatic email
level) are committed, two ``odoo-bin`` processes are started on the database
(each with one cron thread, ``--workers 0 --max-cron-threads 1``), the
sending job is triggered, and the operation waits until every reminder went
to its channels.  It prints the throughput (reminders per second, from the
trigger to the last email queued), how the work was split between the two
jobs (``ir.cron.progress``), duplicates (a reminder with more than one email,
or more than one email to its customer) and missing reminders; duplicates
or missing reminders fail the operation.

The daily job triggers its helper, *Payment reminders: send (second
worker)*, when more than one batch is due: each cron thread runs one job,
and both claim their batches with ``FOR NO KEY UPDATE SKIP LOCKED`` (README,
"Several workers").

What the operation commits (its plan, reminders, messages and emails) it
deletes afterwards; while it runs, the other scheduled actions of the
database are paused (the mail queue would try to reach an SMTP server) and
the company's working calendar is lifted (the job skips non-working days).
Set ``RELANCE_BENCH_WORKER_REMINDERS`` (default 500).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from channels import chaseable_lines

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import SQL, config

REMINDERS = int(os.environ.get("RELANCE_BENCH_WORKER_REMINDERS", "500"))
SERVERS = 2
TIMEOUT = 600  # seconds


def register(bench):
    bench.add(f"send_{REMINDERS}_two_workers", "account_relance", _two_workers)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup(env):
    """Commit the reminders to send; return what to restore afterwards."""
    company = env.company
    by_partner = chaseable_lines(env, REMINDERS)
    partners = env["res.partner"].union(*by_partner)
    for partner in partners.filtered(lambda p: not p.email):
        partner.email = f"customer{partner.id}@example.com"
    plan = env["relance.plan"].create(
        {
            "name": "Bench two workers",
            "company_id": company.id,
            "level_ids": [
                Command.create(
                    {
                        "name": "Friendly email (bench)",
                        "tone": "friendly",
                        "auto_send": True,
                        "channel_email": True,
                    }
                )
            ],
        }
    )
    today = fields.Date.context_today(env.user)
    reminders = env["relance.reminder"].create(
        [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "level_id": plan.level_ids.id,
                "date": today,
                "state": "to_send",
                "currency_id": line.currency_id.id,
                "amount_due": line.amount_residual_currency,
                "move_line_ids": [Command.set(line.ids)],
            }
            for partner, line in by_partner.items()
        ]
    )
    ours = env.ref("account_relance.ir_cron_relance_send_reminders") | env.ref(
        "account_relance.ir_cron_relance_send_reminders_helper"
    )
    paused = env["ir.cron"].search([("active", "=", True)]) - ours
    paused.active = False
    ours.active = True
    calendars = {c.id: c.resource_calendar_id.id for c in env.companies}
    env.companies.resource_calendar_id = False
    return plan, reminders, ours, paused, calendars


def _cleanup(env, plan, reminders, paused, calendars):
    messages = env["mail.message"].search(
        [("model", "=", "relance.reminder"), ("res_id", "in", reminders.ids)]
    )
    env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
    messages.unlink()
    reminders.with_context(force_delete=True).unlink()
    plan.unlink()
    paused.active = True
    for company in env.companies:
        company.resource_calendar_id = calendars.get(company.id)


def _conf_file():
    """The configuration file the bench runs with (``bench.py run --conf``)."""
    if config.get("config"):
        return config["config"]
    argv = sys.argv
    for index, arg in enumerate(argv):
        if arg == "--conf":
            return argv[index + 1]
        if arg.startswith("--conf="):
            return arg.split("=", 1)[1]
    raise RuntimeError("bench: no configuration file to start the servers with")


def _start_servers(db, logdir):
    odoo_bin = Path(next(iter(odoo.__path__))).resolve().parent / "odoo-bin"
    processes = []
    for number in range(SERVERS):
        log = Path(logdir) / f"server{number}.log"
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own Odoo, our own database
                [
                    sys.executable,
                    str(odoo_bin),
                    "-c",
                    _conf_file(),
                    "-d",
                    db,
                    "--db-filter",
                    f"^{db}$",
                    "--http-interface",
                    "127.0.0.1",
                    "--http-port",
                    str(_free_port()),
                    "--workers",
                    "0",
                    "--max-cron-threads",
                    "1",
                    "--log-level",
                    "info",
                    "--logfile",
                    str(log),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return processes


def _wait_for_crons(logdir, count, deadline):
    """Until each server's cron thread listens (its log says it started)."""
    while time.monotonic() < deadline:
        ready = sum(
            "HTTP service (werkzeug) running" in path.read_text(errors="ignore")
            for path in Path(logdir).glob("server*.log")
        )
        if ready >= count:
            # the cron threads LISTEN right after the HTTP service is up
            time.sleep(2)
            return
        time.sleep(0.5)
    raise TimeoutError("the Odoo servers did not start")


def _figures(cr, reminder_ids, cron_ids, started):
    cr.execute(
        SQL(
            """
            SELECT COUNT(*) FILTER (WHERE reminder.email_message_id IS NULL),
                   COUNT(*) FILTER (WHERE reminder.last_send_attempt IS NOT NULL)
              FROM relance_reminder reminder
             WHERE reminder.id = ANY(%(ids)s)
            """,
            ids=reminder_ids,
        )
    )
    missing, attempted = cr.fetchone()
    cr.execute(
        SQL(
            """
            SELECT COUNT(*) FROM (
                SELECT message.res_id
                  FROM mail_message message
                 WHERE message.model = 'relance.reminder'
                   AND message.res_id = ANY(%(ids)s)
                   AND message.message_type = 'comment'
              GROUP BY message.res_id HAVING COUNT(*) > 1
            ) AS twice
            """,
            ids=reminder_ids,
        )
    )
    (messages_twice,) = cr.fetchone()
    cr.execute(
        SQL(
            """
            SELECT COUNT(*) FROM (
                SELECT message.res_id
                  FROM mail_mail mail
                  JOIN mail_message message ON message.id = mail.mail_message_id
                  JOIN mail_mail_res_partner_rel rel ON rel.mail_mail_id = mail.id
                  JOIN relance_reminder reminder ON reminder.id = message.res_id
                 WHERE message.model = 'relance.reminder'
                   AND message.res_id = ANY(%(ids)s)
                   AND rel.res_partner_id = reminder.partner_id
              GROUP BY message.res_id HAVING COUNT(*) > 1
            ) AS twice
            """,
            ids=reminder_ids,
        )
    )
    (mails_twice,) = cr.fetchone()
    cr.execute(
        SQL(
            """
            SELECT cron_id, SUM(done) FROM ir_cron_progress
             WHERE cron_id = ANY(%(crons)s) AND create_date >= %(started)s
          GROUP BY cron_id ORDER BY cron_id
            """,
            crons=cron_ids,
            started=started,
        )
    )
    split = dict(cr.fetchall())
    return missing, attempted, messages_twice, mails_twice, split


def _two_workers(env):
    registry = env.registry
    db = env.cr.dbname
    # committed in a cursor of its own: the servers must see the reminders
    with registry.cursor() as cr:
        wenv = api.Environment(cr, SUPERUSER_ID, {})
        wenv = wenv(context={"allowed_company_ids": [env.company.id]})
        plan, reminders, crons, paused, calendars = _setup(wenv)
        reminder_ids, cron_ids = reminders.ids, crons.ids
        cr.commit()
    try:
        with tempfile.TemporaryDirectory(prefix="relance_workers_") as logdir:
            processes = _start_servers(db, logdir)
            try:
                _wait_for_crons(logdir, SERVERS, time.monotonic() + 120)
                with registry.cursor() as cr:
                    cr.execute("SELECT now() AT TIME ZONE 'UTC'")
                    (started,) = cr.fetchone()
                    wenv = api.Environment(cr, SUPERUSER_ID, {})
                    wenv.ref(
                        "account_relance.ir_cron_relance_send_reminders"
                    )._trigger()
                    cr.commit()
                t0 = time.monotonic()
                deadline = t0 + TIMEOUT
                done_at = None
                while time.monotonic() < deadline:
                    time.sleep(0.2)
                    with registry.cursor() as cr:
                        missing, attempted, *_rest = _figures(
                            cr, reminder_ids, cron_ids, started
                        )
                    if attempted == len(reminder_ids) and not missing:
                        done_at = time.monotonic()
                        break
                # let both jobs finish their last batch before counting
                time.sleep(2)
                with registry.cursor() as cr:
                    figures = _figures(cr, reminder_ids, cron_ids, started)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
            errors = "".join(
                path.read_text(errors="ignore")
                for path in Path(logdir).glob("server*.log")
            )
    finally:
        with registry.cursor() as cr:
            wenv = api.Environment(cr, SUPERUSER_ID, {})
            _cleanup(
                wenv,
                wenv["relance.plan"].browse(plan.id),
                wenv["relance.reminder"].browse(reminder_ids),
                wenv["ir.cron"].browse(paused.ids),
                calendars,
            )
            cr.commit()
    missing, _attempted, messages_twice, mails_twice, split = figures
    elapsed = (done_at or time.monotonic()) - t0
    failures = errors.count(" ERROR ")
    print(
        f"bench: two workers: {len(reminder_ids)} reminders in {elapsed:.2f} s "
        f"({len(reminder_ids) / elapsed:.1f} reminders/s), split between the "
        f"jobs {sorted(split.values(), reverse=True)}, duplicates "
        f"{messages_twice} (messages) {mails_twice} (emails to the customer), "
        f"missing {missing}, errors in the servers' logs {failures}",
        file=sys.stderr,
    )
    if missing or messages_twice or mails_twice or done_at is None:
        raise AssertionError(
            f"missing {missing}, duplicates {messages_twice}/{mails_twice}"
        )
