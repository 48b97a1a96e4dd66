from datetime import date as date_cls
from datetime import timedelta

from odoo import Command, api, models


class RelanceLateCharge(models.AbstractModel):
    """The one place where statutory late-payment charges are computed.

    French Code de commerce L441-10 and D441-5, EU Directive 2011/7/EU:
    interest from the day after the due date on the outstanding amount
    including VAT, at the rate in force on 1 January for the days of January
    to June and on 1 July for the days of July to December (or the
    contractual rate), actual days over a yearly basis of 365 days; plus a
    fixed recovery indemnity (40 EUR) per invoice paid late, without VAT and
    not split by partial payments.  Never claimed from a consumer.
    """

    _name = "relance.late.charge"
    _description = "Late-Payment Charges"

    @api.model
    def _half_year_start(self, day):
        return date_cls(day.year, 1 if day.month <= 6 else 7, 1)

    @api.model
    def _half_year_end(self, day):
        if day.month <= 6:
            return date_cls(day.year, 6, 30)
        return date_cls(day.year, 12, 31)

    @api.model
    def _compute_interest(
        self, company, currency, amount, due_date, end_date, payments=()
    ):
        """Interest on ``amount`` due on ``due_date``, counted until ``end_date``.

        :param payments: ``(date, amount)`` pairs paid after the due date; the
            outstanding amount drops the day after each payment.
        :return: the list of periods, each a dict with ``date_from``,
            ``date_to`` (both included), ``days``, ``base``, ``rate`` (%) and
            ``interest`` (rounded to the currency); their interests add up to
            the total.
        """
        basis = company.relance_interest_days_basis or 365
        contractual = company.relance_contractual_rate
        Rate = self.env["relance.interest.rate"]
        by_date = {}
        for pay_date, pay_amount in payments:
            by_date[pay_date] = by_date.get(pay_date, 0.0) + pay_amount
        periods = []
        balance = amount
        cursor = due_date + timedelta(days=1)
        rates = {}
        while cursor <= end_date and currency.compare_amounts(balance, 0) > 0:
            stop = min(self._half_year_end(cursor), end_date)
            next_payment = min(
                (d for d in by_date if cursor <= d <= stop), default=None
            )
            if next_payment:
                stop = next_payment
            half_year = self._half_year_start(cursor)
            if half_year not in rates:
                rates[half_year] = contractual or Rate._get_rate(company, half_year)
            rate = rates[half_year]
            days = (stop - cursor).days + 1
            periods.append(
                {
                    "date_from": cursor,
                    "date_to": stop,
                    "days": days,
                    "base": balance,
                    "rate": rate,
                    "interest": currency.round(balance * rate / 100 * days / basis),
                }
            )
            balance -= by_date.get(stop, 0.0)
            cursor = stop + timedelta(days=1)
        return periods

    @api.model
    def _get_payment_events(self, line, date):
        """``(date, amount)`` of what reduced a receivable line, up to ``date``.

        Reconciled payments and credit notes through their partial
        reconciliations (dated by the later of both entries), and payments
        registered without a journal entry (invoice "In Payment").
        """
        events = []
        counterpart_moves = self.env["account.move"]
        for partial in line.matched_credit_ids:
            if partial.max_date <= date:
                events.append((partial.max_date, partial.debit_amount_currency))
            counterpart_moves |= partial.credit_move_id.move_id
        payments = line.move_id.matched_payment_ids.filtered(
            lambda p: p.state in ("in_process", "paid")
            and p.move_id not in counterpart_moves
            and p.date <= date
        )
        for payment in payments:
            amount = payment.currency_id._convert(
                payment.amount, line.currency_id, line.company_id, payment.date
            )
            events.append((payment.date, amount))
        return sorted(events)

    @api.model
    def _empty_charges(self):
        return {"lines": [], "interest": 0.0, "indemnity": 0.0, "total": 0.0}

    @api.model
    def _get_charges(self, lines, date, currency=None):
        """The late-payment charges of receivable ``lines`` counted until ``date``.

        :return: dict with ``lines`` (one dict per invoice paid or still
            unpaid after its due date: ``line``, ``move``, ``due_date``,
            ``end_date``, ``base``, ``days``, ``periods``, ``interest``,
            ``indemnity``), ``interest``, ``indemnity`` and ``total``, in
            ``currency`` (the lines' currency by default).
        """
        currency = currency or lines.currency_id[:1] or self.env.company.currency_id
        result = self._empty_charges()
        indemnified = set()  # one indemnity per invoice, whatever its installments
        for line in lines.sorted(lambda ln: (ln.date_maturity or ln.date, ln.id)):
            due_date = line.date_maturity or line.date
            if line.balance <= 0 or not due_date or due_date >= date:
                continue
            company = line.company_id
            events = self._get_payment_events(line, date)
            amount = line.amount_currency
            before = sum(a for d, a in events if d <= due_date)
            base = amount - before
            if line.currency_id.compare_amounts(base, 0) <= 0:
                continue  # paid on time
            late_events = [(d, a) for d, a in events if d > due_date]
            end_date = date
            remaining = base
            for pay_date, pay_amount in late_events:
                remaining -= pay_amount
                if line.currency_id.compare_amounts(remaining, 0) <= 0:
                    end_date = pay_date
                    break
            periods = self._compute_interest(
                company, line.currency_id, base, due_date, end_date, late_events
            )
            interest = sum(p["interest"] for p in periods)
            indemnity = 0.0
            if line.move_id not in indemnified:
                indemnified.add(line.move_id)
                indemnity = company.currency_id._convert(
                    company.relance_recovery_indemnity, currency, company, date
                )
            if line.currency_id != currency:
                interest = line.currency_id._convert(interest, currency, company, date)
            result["lines"].append(
                {
                    "line": line,
                    "move": line.move_id,
                    "due_date": due_date,
                    "end_date": end_date,
                    "base": base,
                    "days": (end_date - due_date).days,
                    "periods": periods,
                    "interest": interest,
                    "indemnity": indemnity,
                }
            )
            result["interest"] += interest
            result["indemnity"] += indemnity
        result["interest"] = currency.round(result["interest"])
        result["indemnity"] = currency.round(result["indemnity"])
        result["total"] = currency.round(result["interest"] + result["indemnity"])
        return result

    @api.model
    def _create_charges_invoice(self, reminder):
        """Book the charges ``reminder`` claims on a draft invoice of its
        customer (no VAT on either: interest and indemnity are not sales)."""
        company = reminder.company_id
        lines = []
        for product, amount, label in (
            (
                company.relance_interest_product_id
                or self.env.ref("account_relance.product_late_interest"),
                reminder.charge_interest_amount,
                self.env._(
                    "Late-payment interest (reminder %(name)s)", name=reminder.name
                ),
            ),
            (
                company.relance_indemnity_product_id
                or self.env.ref("account_relance.product_recovery_indemnity"),
                reminder.charge_indemnity_amount,
                self.env._(
                    "Fixed recovery indemnity (reminder %(name)s)", name=reminder.name
                ),
            ),
        ):
            if reminder.currency_id.is_zero(amount):
                continue
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": label,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": reminder.partner_id.id,
                "currency_id": reminder.currency_id.id,
                "invoice_date": reminder.date,
                "invoice_origin": reminder.name,
                "invoice_line_ids": lines,
            }
        )
        reminder.charges_move_id = move
        reminder.message_post(
            body=self.env._(
                "Late-payment charges booked on the draft invoice %(move)s.",
                move=move._get_html_link(),
            )
        )
        return move
