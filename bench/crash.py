"""The crash test behind ``bash bench/crash.sh`` (see the README's
"Guarantees"): a real Odoo process running the daily job is killed
(SIGKILL) half-way, then the job runs again; the result must be what an
uninterrupted run gives on a second copy of the same database.

Each run is an ``odoo-bin shell`` that triggers the real cron record
"Reminders: generate the daily reminders" through Odoo's cron runner
(``ir.cron.method_direct_trigger``: its own cursor, the progress API, a
commit per batch), in batches of an eighth of the day's reminders so that
the kill lands between and inside committed batches.  The reminders of
automatic levels queue their emails (mail.mail) in the same transaction; the
queue is not run (no mail server), so that each email is still there to
count.

Compared, reminder by reminder (customer, level, currency, date and items):
the reminders, their state and amount, and the emails queued for each
(number and recipients).  Prints the figures and exits 1 unless there are
no duplicates, nothing missing, nothing extra and nothing different.

    bench/crash.py --conf FILE --crashed DB --straight DB
"""

import argparse
import configparser
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg2

ODOO_BIN = Path(os.environ.get("ODOO_PATH", "/opt/odoo")) / "odoo-bin"

# Runs in ``odoo-bin shell`` (``env`` is the superuser's): the real cron job,
# triggered again while decisions are left (at most 5 times: a job that stops
# on its time budget is triggered again by Odoo's scheduler).
JOB = """
import time
cron = env.ref("account_relance.ir_cron_relance_generate")
cron.code = "model._cron_generate_reminders(batch_size={batch})"
# the emails wait in the queue (no mail server here), none is sent at commit
env["ir.config_parameter"].set_param("mail.mail.force.send.limit", "0")
env.cr.commit()
companies = env["res.company"].search([("active", "=", True)]).ids
start = time.monotonic()
for trigger in range(1, 6):
    result = cron.method_direct_trigger()
    env.cr.commit()
    if isinstance(result, dict) and result.get("tag") == "display_exception":
        print("CRASH-ERROR", result["params"]["message"], flush=True)
    env.invalidate_all()
    left = env["relance.engine"]._run(company_ids=companies, dry_run=True)
    if not left:
        break
print("CRASH-DONE", trigger, len(left), round(time.monotonic() - start, 2), flush=True)
"""

# The day's reminders to make, before any run (a dry run of the decision).
COUNT = """
companies = env["res.company"].search([("active", "=", True)]).ids
todo = env["relance.engine"]._run(company_ids=companies, dry_run=True)
print("CRASH-COUNT", len(todo))
"""


def _shell(conf, db, output=subprocess.PIPE):
    return subprocess.Popen(
        [
            sys.executable,
            str(ODOO_BIN),
            "shell",
            "-c",
            conf,
            "-d",
            db,
            "--no-http",
            "--log-level=warn",
        ],
        stdin=subprocess.PIPE,
        stdout=output,
        stderr=subprocess.STDOUT if output is not subprocess.PIPE else output,
        text=True,
    )


def _run_shell(conf, db, script):
    process = _shell(conf, db)
    out, err = process.communicate(script)
    lines = [line for line in out.splitlines() if line.startswith("CRASH-")]
    if process.returncode or not lines:
        sys.exit(f"crash: the shell on {db} failed:\n{out}\n{err}")
    for line in lines:
        if line.startswith("CRASH-ERROR"):
            sys.exit(f"crash: the job failed on {db}: {line}\n{err}")
    return lines[-1].split()[1:]


def _connect(conf, db):
    parser = configparser.ConfigParser()
    parser.read(conf)
    options = parser["options"]
    connection = psycopg2.connect(
        dbname=db,
        host=options.get("db_host") or None,
        port=options.get("db_port") or None,
        user=options.get("db_user") or None,
    )
    connection.autocommit = True
    return connection


def _count(connection):
    with connection.cursor() as cr:
        cr.execute("SELECT COUNT(*) FROM relance_reminder")
        return cr.fetchone()[0]


def _wait_for_backends(connection, db, timeout=60):
    """A killed client's backends end when PostgreSQL notices the closed
    socket and rolls their transactions back (their locks go with them)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cr:
        while time.monotonic() < deadline:
            cr.execute(
                "SELECT COUNT(*) FROM pg_stat_activity"
                " WHERE datname = %s AND pid != pg_backend_pid()",
                [db],
            )
            if not cr.fetchone()[0]:
                return
            time.sleep(0.1)
    sys.exit(f"crash: the killed process's connections to {db} did not end")


def _state(connection):
    """{reminder key: [(state, email state, amount, emails, recipients)]}"""
    with connection.cursor() as cr:
        cr.execute(
            """
            SELECT reminder.company_id, reminder.partner_id, reminder.currency_id,
                   reminder.level_id, reminder.date,
                   ARRAY(SELECT line.move_line_id FROM relance_reminder_line line
                          WHERE line.reminder_id = reminder.id
                          ORDER BY line.move_line_id),
                   reminder.state, reminder.email_state, reminder.amount_due,
                   (SELECT COUNT(*) FROM mail_mail mail
                      JOIN mail_message message ON message.id = mail.mail_message_id
                     WHERE message.model = 'relance.reminder'
                       AND message.res_id = reminder.id),
                   ARRAY(SELECT rel.res_partner_id
                           FROM mail_mail mail
                           JOIN mail_message message
                             ON message.id = mail.mail_message_id
                           JOIN mail_mail_res_partner_rel rel
                             ON rel.mail_mail_id = mail.id
                          WHERE message.model = 'relance.reminder'
                            AND message.res_id = reminder.id
                          ORDER BY rel.res_partner_id)
              FROM relance_reminder reminder
             WHERE reminder.state != 'cancel'
            """
        )
        state = {}
        for row in cr.fetchall():
            key = (*row[:5], tuple(row[5]))
            state.setdefault(key, []).append((*row[6:10], tuple(row[10])))
        return state


def main(argv=None):
    parser = argparse.ArgumentParser(prog="crash.py")
    parser.add_argument("--conf", required=True)
    parser.add_argument("--crashed", required=True, help="the database killed")
    parser.add_argument("--straight", required=True, help="the database not killed")
    args = parser.parse_args(argv)
    crashed = _connect(args.conf, args.crashed)
    straight = _connect(args.conf, args.straight)
    if _count(crashed) or _count(straight):
        sys.exit("crash: the databases must start with no reminder")

    expected = int(_run_shell(args.conf, args.crashed, COUNT)[0])
    if expected < 8:
        sys.exit(f"crash: {expected} reminders to make: too few to kill half-way")
    batch = max(1, expected // 8)
    job = JOB.format(batch=batch)
    print(f"crash: {expected} reminders to make today, in batches of {batch}")

    start = time.monotonic()
    _run_shell(args.conf, args.straight, job)
    straight_seconds = time.monotonic() - start

    # to a file: a pipe nobody reads could block the process before the kill
    log = tempfile.TemporaryFile(mode="w+")
    process = _shell(args.conf, args.crashed, output=log)
    process.stdin.write(job)
    process.stdin.close()
    at_kill = 0
    while process.poll() is None:
        at_kill = _count(crashed)
        if at_kill >= expected // 2:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    if process.returncode != -signal.SIGKILL:
        log.seek(0)
        print(log.read(), file=sys.stderr)
        sys.exit(
            f"crash: the job ended (code {process.returncode}, {at_kill} "
            "reminders) before it could be killed half-way"
        )
    _wait_for_backends(crashed, args.crashed)
    after_kill = _count(crashed)
    print(
        f"crash: killed (SIGKILL) with {at_kill} of {expected} reminders "
        f"committed; {after_kill} left once its connections ended"
    )
    _run_shell(args.conf, args.crashed, job)

    done, reference = _state(crashed), _state(straight)
    rows = Counter({key: len(values) for key, values in done.items()})
    duplicates = sum(count - 1 for count in rows.values())
    missing = sum(1 for key in reference if key not in done)
    extra = sum(1 for key in done if key not in reference)
    different = sum(
        1
        for key, values in done.items()
        if key in reference and sorted(values) != sorted(reference[key])
    )
    print(
        f"crash: reminders {rows.total()} (uninterrupted run: "
        f"{sum(len(values) for values in reference.values())}, "
        f"{straight_seconds:.1f} s), duplicates {duplicates}, missing {missing}, "
        f"extra {extra}, different {different}"
    )
    emails = Counter()
    for key, values in done.items():
        emails[key] += sum(value[3] for value in values)
    reference_emails = Counter()
    for key, values in reference.items():
        reference_emails[key] += sum(value[3] for value in values)
    print(
        f"crash: queued emails {emails.total()} (uninterrupted run: "
        f"{reference_emails.total()}), duplicated "
        f"{(emails - reference_emails).total()}, missing "
        f"{(reference_emails - emails).total()}"
    )
    if not reference_emails.total():
        sys.exit("crash: no email queued: the automatic levels were not exercised")
    if duplicates or missing or extra or different or emails != reference_emails:
        sys.exit("crash: FAILED: the interrupted job differs from an uninterrupted one")
    print("crash: OK: the same reminders and emails as the uninterrupted run")


if __name__ == "__main__":
    main()
