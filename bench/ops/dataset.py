"""A sample operation proving the harness: the open receivables per customer,
through the ORM (one grouped query) and as bare SQL (the floor)."""

from odoo.tools import SQL


def register(bench):
    bench.add("open_receivables_by_customer", "account_relance", _read_group)
    bench.add("open_receivables_by_customer", "sql_floor", _bare_sql)


def _domain(env):
    return [
        ("company_id", "=", env.company.id),
        ("account_type", "=", "asset_receivable"),
        ("parent_state", "=", "posted"),
        ("reconciled", "=", False),
    ]


def _read_group(env):
    groups = env["account.move.line"]._read_group(
        _domain(env), ["partner_id"], ["__count", "amount_residual:sum"]
    )
    assert groups, "no open receivable line in the dataset"
    return groups


def _bare_sql(env):
    return env.execute_query(
        SQL(
            """
            SELECT aml.partner_id, COUNT(*), SUM(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
             WHERE aml.company_id = %(company)s
               AND acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
             GROUP BY aml.partner_id
            """,
            company=env.company.id,
        )
    )
