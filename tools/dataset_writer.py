"""Bulk SQL copies of a generated block of receivables (tools/dataset.py).

The ORM creates one block of the dataset (customers, invoices, credit notes,
payments, bank statement lines and their reconciliations) exactly as Odoo
does; this module then writes ``copies`` more blocks with one
``INSERT ... SELECT`` per table, each on its own new customers.  Every row of
a copy is the block's row with its ids moved by a constant per table (and per
copy), so that each reference inside the block (partner, move, line, payment,
statement line, partial and full reconciliation) points into the same copy:
``amount_residual``, the ``reconciled`` flags, ``payment_state``, the matching
numbers and the partial reconciliations are Odoo's own, copied.  The names that
Odoo numbers (journal entries, payments, customer references, bank statement
line indexes) are renumbered past the block, and the texts that quote an
entry's name (memo, reference, label) quote the copy's.

The ORM adds nothing here: a copied block is what the ORM would write for the
same customers, invoices and payments again, at a few seconds per 10,000
invoices instead of minutes.
"""

import logging
import time

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# In the order they are written: each table's references point to tables
# written before it, except the DEFERRED ones, set once the target is written.
TABLES = (
    "res_partner",
    "account_full_reconcile",
    "account_move",
    "account_payment",
    "account_bank_statement_line",
    "account_move_line",
    "account_partial_reconcile",
)
RELATIONS = {
    # many2many table: (its columns, the column whose range selects the block)
    "account_move__account_payment": ("payment_id", "account_payment"),
    "account_move_line_account_tax_rel": ("account_move_line_id", "account_move_line"),
}
DEFERRED = {
    ("account_move", "origin_payment_id"),
    ("account_move", "statement_line_id"),
    ("account_move", "tax_cash_basis_rec_id"),
}
# The name of an entry quoted in a text: FAC/2026/00042, EXCH/2026/05/0001.
NAME_RE = r"([A-Z][A-Z0-9]*/[0-9]{4}/(?:[0-9]{2}/)?[0-9]+)"


def snapshot(cr):
    """The last id of each table, before the block is created."""
    return {table: _max_id(cr, table) for table in TABLES}


def _max_id(cr, table):
    cr.execute(SQL("SELECT COALESCE(MAX(id), 0) FROM %s", SQL.identifier(table)))
    return cr.fetchone()[0]


def _pad(number_sql, width_sql):
    """``number`` as text, left-padded with zeros to ``width`` (never cut)."""
    return (
        f"CASE WHEN length(({number_sql})::text) >= {width_sql}"
        f" THEN ({number_sql})::text"
        f" ELSE lpad(({number_sql})::text, {width_sql}, '0') END"
    )


class BlockCopier:
    def __init__(self, env, before, copies):
        self.env = env
        self.cr = env.cr
        self.copies = copies
        # the block of each table: ids lo..hi, moved by span per copy
        self.lo, self.hi, self.span = {}, {}, {}
        for table in TABLES:
            self.lo[table] = before[table] + 1
            self.hi[table] = _max_id(self.cr, table)
            self.span[table] = max(0, self.hi[table] - self.lo[table] + 1)
        self.references = self._references()
        self.pay_step = 0

    def _execute(self, query, *args):
        # Every value written into these queries is an integer computed here
        # (ids, spans, copies) or a column name read from the catalogue.
        started = time.monotonic()
        self.cr.execute(query, *args)
        return self.cr.rowcount, time.monotonic() - started

    def _references(self):
        """{(table, column): referenced table} among the copied tables."""
        tables = list(TABLES) + list(RELATIONS)
        self.cr.execute(
            """
            SELECT con.conrelid::regclass::text, att.attname,
                   con.confrelid::regclass::text
              FROM pg_constraint con
              JOIN pg_attribute att ON att.attrelid = con.conrelid
                                   AND att.attnum = con.conkey[1]
             WHERE con.contype = 'f'
               AND con.conrelid::regclass::text = ANY(%s)
               AND con.confrelid::regclass::text = ANY(%s)
            """,
            [tables, list(TABLES)],
        )
        return {(table, column): ref for table, column, ref in self.cr.fetchall()}

    def _columns(self, table):
        self.cr.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s"
            " ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in self.cr.fetchall()]

    def _moved(self, table, column, alias="t", copy="gs.n"):
        """The copy's value of a reference to ``table``."""
        ref = f"{alias}.{column}"
        if not self.span[table]:
            return ref
        return (
            f"CASE WHEN {ref} BETWEEN {self.lo[table]} AND {self.hi[table]}"
            f" THEN {ref} + ({copy}) * {self.span[table]} ELSE {ref} END"
        )

    def _text(self, column, join_alias):
        """A text quoting an entry's name, quoting the copy's instead."""
        return (
            f"CASE WHEN {join_alias}.old_name IS NULL THEN t.{column}"
            f" ELSE replace(t.{column}, {join_alias}.old_name,"
            f" {join_alias}.new_name) END"
        )

    def _text_join(self, column, alias):
        return (
            f" LEFT JOIN relgen_name_map {alias} ON {alias}.g = gs.n"
            f" AND {alias}.company_id = t.company_id"
            f" AND {alias}.old_name = substring(t.{column} FROM '{NAME_RE}')"
        )

    # ------------------------------------------------------------------

    def write_copies(self):
        started = time.monotonic()
        timings = {}
        self._name_map()
        overrides = {
            "res_partner": self._partner_overrides(),
            "account_move": (
                {
                    "name": "mm.new_name",
                    "sequence_number": "mm.new_number",
                    "payment_reference": "CASE WHEN t.payment_reference = t.name"
                    " THEN mm.new_name ELSE t.payment_reference END",
                    "ref": self._text("ref", "tr"),
                },
                " JOIN relgen_name_map mm ON mm.old_id = t.id AND mm.g = gs.n"
                + self._text_join("ref", "tr"),
            ),
            "account_payment": self._payment_overrides(),
            "account_bank_statement_line": (
                {
                    "internal_index": "left(t.internal_index, 18) || "
                    + _pad(
                        f"t.id + gs.n * {self.span['account_bank_statement_line']}", 10
                    ),
                    "payment_ref": self._text("payment_ref", "tr"),
                },
                self._text_join("payment_ref", "tr"),
            ),
            "account_move_line": (
                {
                    "move_name": "mm.new_name",
                    "name": self._text("name", "tr"),
                    "matching_number": (
                        "CASE WHEN t.matching_number ~ '^P[0-9]+$' THEN 'P' ||"
                        " (substr(t.matching_number, 2)::int + gs.n * "
                        f"{self.span['account_partial_reconcile']})::text"
                        " WHEN t.matching_number ~ '^[0-9]+$' THEN"
                        " (t.matching_number::int + gs.n * "
                        f"{self.span['account_full_reconcile']})::text"
                        " ELSE t.matching_number END"
                    ),
                },
                " JOIN relgen_name_map mm ON mm.old_id = t.move_id AND mm.g = gs.n"
                + self._text_join("name", "tr"),
            ),
        }
        for table in TABLES:
            if not self.span[table]:
                continue
            fields, joins = overrides.get(table, ({}, ""))
            count, seconds = self._copy_table(table, fields, joins)
            timings[table] = round(seconds, 1)
            _logger.info("dataset copy: %s rows of %s in %.1f s", count, table, seconds)
            if table == "account_bank_statement_line":
                timings["deferred"] = round(self._set_deferred(), 1)
        for table, (column, block_table) in RELATIONS.items():
            count, seconds = self._copy_relation(table, column, block_table)
            timings[table] = round(seconds, 1)
        for table in TABLES:
            self.cr.execute(
                SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                    " (SELECT MAX(id) FROM %s))",
                    table,
                    SQL.identifier(table),
                )
            )
        self.cr.execute("DROP TABLE relgen_name_map")
        self.env.invalidate_all()
        timings["total"] = round(time.monotonic() - started, 1)
        return timings

    def _name_map(self):
        """relgen_name_map: each entry of the block, its name in each copy."""
        move = "account_move"
        self._execute(
            f"""
            CREATE TEMP TABLE relgen_name_map ON COMMIT DROP AS
            WITH blk AS (
                SELECT id, company_id, journal_id, name, sequence_prefix,
                       sequence_number
                  FROM account_move
                 WHERE id BETWEEN {self.lo[move]} AND {self.hi[move]}
            ), span AS (
                SELECT journal_id, sequence_prefix,
                       MAX(sequence_number) - MIN(sequence_number) + 1 AS d
                  FROM blk GROUP BY journal_id, sequence_prefix
            )
            SELECT blk.id AS old_id, blk.company_id, blk.name AS old_name, g,
                   blk.sequence_number + g * span.d AS new_number,
                   blk.sequence_prefix || {
                _pad(
                    "blk.sequence_number + g * span.d",
                    "length(blk.name) - length(blk.sequence_prefix)",
                )
            } AS new_name
              FROM blk
              JOIN span ON span.journal_id = blk.journal_id
                       AND span.sequence_prefix = blk.sequence_prefix
             CROSS JOIN generate_series(1, {self.copies}) AS g
            """
        )
        self.cr.execute(
            "CREATE INDEX ON relgen_name_map (old_name, company_id, g);"
            "CREATE INDEX ON relgen_name_map (old_id, g); ANALYZE relgen_name_map"
        )

    def _partner_overrides(self):
        # RELGEN-<habit>-<number>: the number moves by the block's customers
        self.cr.execute(
            "SELECT MAX(substring(ref FROM '([0-9]+)$')::int)"
            " - MIN(substring(ref FROM '([0-9]+)$')::int) + 1"
            " FROM res_partner WHERE id BETWEEN %s AND %s AND ref ~ '[0-9]+$'",
            [self.lo["res_partner"], self.hi["res_partner"]],
        )
        step = self.cr.fetchone()[0] or 0
        number = f"substring(t.ref FROM '([0-9]+)$')::int + gs.n * {step}"
        return (
            {
                "ref": "CASE WHEN t.ref ~ '[0-9]+$' THEN"
                f" regexp_replace(t.ref, '[0-9]+$', {_pad(number, 5)})"
                " ELSE t.ref END",
                "email": "CASE WHEN t.ref ~ '[0-9]+$' AND"
                " t.email ~ '[0-9]+\\.example\\.com$' THEN"
                f" regexp_replace(t.email, '[0-9]+\\.example\\.com$',"
                f" ({number})::text || '.example.com') ELSE t.email END",
            },
            "",
        )

    def _payment_overrides(self):
        # with an entry: the entry's name; without: the payment sequence's
        # number (PAY00007), moved past the block's
        lo, hi = self.lo["account_payment"], self.hi["account_payment"]
        self.cr.execute(
            "SELECT MAX(substring(name FROM '([0-9]+)$')::int)"
            " - MIN(substring(name FROM '([0-9]+)$')::int) + 1"
            " FROM account_payment WHERE id BETWEEN %s AND %s AND move_id IS NULL"
            " AND name ~ '[0-9]+$'",
            [lo, hi],
        )
        self.pay_step = self.cr.fetchone()[0] or 0
        number = f"substring(t.name FROM '([0-9]+)$')::int + gs.n * {self.pay_step}"
        width = "length(substring(t.name FROM '([0-9]+)$'))"
        return (
            {
                "name": "CASE WHEN pm.new_name IS NOT NULL THEN pm.new_name"
                " WHEN t.name ~ '[0-9]+$' THEN"
                f" substring(t.name FROM '^(.*?)[0-9]+$') || {_pad(number, width)}"
                " ELSE t.name END",
                "memo": self._text("memo", "tr"),
            },
            " LEFT JOIN relgen_name_map pm ON pm.old_id = t.move_id AND pm.g = gs.n"
            + self._text_join("memo", "tr"),
        )

    def _copy_table(self, table, fields, joins):
        columns = self._columns(table)
        exprs = []
        for column in columns:
            if column == "id":
                exprs.append(f"t.id + gs.n * {self.span[table]}")
            elif column in fields:
                exprs.append(fields[column])
            elif (table, column) in DEFERRED:
                exprs.append("NULL")
            elif (table, column) in self.references:
                exprs.append(self._moved(self.references[table, column], column))
            else:
                exprs.append(f"t.{column}")
        quoted = ", ".join(f'"{column}"' for column in columns)
        query = (
            f"INSERT INTO {table} ({quoted})"
            f" SELECT {', '.join(exprs)} FROM {table} t"
            f" CROSS JOIN generate_series(1, {self.copies}) AS gs(n) {joins}"
            f" WHERE t.id BETWEEN {self.lo[table]} AND {self.hi[table]}"
        )
        return self._execute(query)

    def _set_deferred(self):
        started = time.monotonic()
        table = "account_move"
        lo, span = self.lo[table], self.span[table]
        columns = [column for tab, column in DEFERRED if tab == table]
        copy = f"(m.id - {lo}) / {span}"
        sets = ", ".join(
            f"{column} = "
            + self._moved(self.references[table, column], column, "o", copy)
            for column in columns
            if (table, column) in self.references
        )
        present = " OR ".join(f"o.{column} IS NOT NULL" for column in columns)
        self._execute(
            f"UPDATE account_move m SET {sets} FROM account_move o"
            f" WHERE m.id > {self.hi[table]}"
            f" AND o.id = m.id - ((m.id - {lo}) / {span}) * {span}"
            f" AND o.id BETWEEN {lo} AND {self.hi[table]} AND ({present})"
        )
        return time.monotonic() - started

    def _copy_relation(self, table, column, block_table):
        columns = self._columns(table)
        exprs = [
            self._moved(self.references[table, col], col)
            if (table, col) in self.references
            else f"t.{col}"
            for col in columns
        ]
        return self._execute(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" SELECT {', '.join(exprs)} FROM {table} t"
            f" CROSS JOIN generate_series(1, {self.copies}) AS gs(n)"
            f" WHERE t.{column} BETWEEN {self.lo[block_table]}"
            f" AND {self.hi[block_table]}"
        )


def copy_block(env, before, copies):
    """Write ``copies`` copies of the block created since ``before``
    (``snapshot()``); returns the seconds per table."""
    env.flush_all()
    copier = BlockCopier(env, before, copies)
    timings = copier.write_copies()
    if copier.pay_step:
        # the payment sequence goes on after the copies' numbers
        env.cr.execute(
            "SELECT MAX(substring(name FROM '([0-9]+)$')::int) FROM account_payment"
            " WHERE move_id IS NULL AND name ~ '^PAY[0-9]+$'"
        )
        last = env.cr.fetchone()[0]
        if last:
            for seq in (
                env["ir.sequence"].sudo().search([("code", "=", "account.payment")])
            ):
                if seq.number_next_actual <= last:
                    seq.number_next = last + 1
    return timings
