/**
 * The collections cockpit as a credit controller opens it in the morning:
 * the first entry of the Reminders menu, the most worrying customer first,
 * its follow-up page (what is owed, its open invoices, its timeline), then
 * its next level made now.
 *
 * The data (two customers, one never paid with a dispute, one late) is made
 * by tests/test_tour.py.  Steps select on menu xml ids, field and button
 * names, never on translated text.
 */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

const WORST = "Cockpit Never Paid SARL";
const ROW = `.o_data_row:has(td[name=partner_id]:contains('${WORST}'))`;

registry.category("web_tour.tours").add("account_relance_cockpit", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Customers menu",
            trigger: "button[data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "The cockpit is the first entry of the Reminders menu",
            trigger:
                ".dropdown-item[data-menu-xmlid='account_relance.relance_cockpit_menu']",
            run: "click",
        },
        {
            content: "The most worrying customer comes first",
            trigger: `.o_list_view .o_data_row:first-child td[name=partner_id]:contains('${WORST}')`,
        },
        {
            content: "Its overdue total and its dispute show on the line",
            trigger: `${ROW} td[name=amount_overdue]:not(:empty)`,
        },
        {
            content: "Open its follow-up page",
            trigger: `${ROW} td[name=partner_id]`,
            run: "click",
        },
        {
            content: "What is owed, by age",
            trigger: ".o_form_view .o_field_widget[name=amount_over_90]",
        },
        {
            content: "Its open invoices",
            trigger: ".o_form_view .o_field_widget[name=invoice_ids] .o_data_row",
        },
        {
            content: "Open the timeline",
            trigger: ".o_notebook .nav-link[name=timeline]",
            run: "click",
        },
        {
            content: "The dispute is in the timeline",
            trigger: ".o_form_view .o_relance_timeline .fa-exclamation-triangle",
        },
        {
            content: "Run the next level now",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_run_next_level]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The reminder is made, to review",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=draft][aria-checked=true]",
        },
        {
            content: "and shows what it will send",
            trigger: ".o_form_view .o_field_widget[name=outbox]:contains('cockpit@never-paid.example.com')",
        },
    ],
});
