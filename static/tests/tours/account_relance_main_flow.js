/**
 * The main flow of account_relance in the backend, as a credit controller
 * walks it: run the reminders with their preview, review one reminder, send
 * it (email), then print its letter from the "Letters to Print" list.
 *
 * The data (customer "Tour Customer SARL", its overdue invoice, a plan whose
 * level sends an email and a letter) is made by tests/test_tour.py.  Steps
 * select on menu xml ids, field and button names, never on translated text.
 */
import {browser} from "@web/core/browser/browser";
import {registry} from "@web/core/registry";
import {patch} from "@web/core/utils/patch";
import {stepUtils} from "@web_tour/tour_utils";

const CUSTOMER = "Tour Customer SARL";
const ROW = `.o_data_row:has(td[name=partner_id]:contains('${CUSTOMER}'))`;

let unpatchOpen = null;

function openReminderMenu(xmlid) {
    return [
        {
            content: "Open the Customers menu",
            trigger: "button[data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: `Open ${xmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid='${xmlid}']`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("account_relance_main_flow", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        ...openReminderMenu("account_relance.relance_reminder_menu"),
        {
            content: "Run the reminders from the list's button",
            trigger: ".o_list_view .o_control_panel button[type=action][display=always]",
            run: "click",
        },
        // --- the preview ------------------------------------------------
        {
            content: "The preview lists the overdue customer",
            trigger: `.modal .o_field_widget[name=line_ids] ${ROW}`,
        },
        {
            content: "Its line gives the level the invoice reached",
            trigger: `.modal ${ROW} td[name=level_id]:contains('Firm reminder')`,
        },
        {
            content: "Open its why",
            trigger: `.modal ${ROW} td[name=documents]`,
            run: "click",
        },
        {
            content: "The why explains the level",
            trigger: ".modal .o_field_widget[name=reason]:contains('Firm reminder')",
        },
        {
            content: "Back to the preview",
            trigger: ".modal:has(.o_field_widget[name=reason]) .modal-footer .btn",
            run: "click",
        },
        {
            content: "The totals per level",
            trigger: ".modal .o_field_widget[name=level_totals]:contains('Firm reminder')",
        },
        {
            content: "One reminder will be created",
            trigger: ".modal .o_field_widget[name=reminder_count]:contains(1)",
        },
        {
            content: "Create the reminders",
            trigger: ".modal .modal-footer button[name=action_generate]",
            run: "click",
        },
        // --- review and send --------------------------------------------
        {
            content: "The created reminder is listed",
            trigger: `.o_action_manager .o_list_view ${ROW}`,
        },
        {
            content: "Open the reminder",
            trigger: `${ROW} td[name=partner_id]`,
            run: "click",
        },
        {
            content: "The reminder is to review",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=draft][aria-checked=true]",
        },
        {
            content: "What goes out: the recipient's address, before sending",
            trigger:
                ".o_form_view .o_field_widget[name=outbox]:contains('compta@tour-customer.example.com')",
        },
        {
            content: "Open the reminded items",
            trigger: ".o_notebook .nav-link[name=lines]",
            run: "click",
        },
        {
            content: "Its item is the overdue invoice",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "Reviewed: confirm it, the one action of a reminder to review",
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary[name=action_confirm]",
            run: "click",
        },
        {
            content: "Send it now",
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary[name=action_send]",
            run: "click",
        },
        {
            content: "The email left: the chatter shows it, delivered",
            trigger:
                ".o-mail-Chatter .o-mail-Message-notification:not(.text-danger) .fa-envelope-o",
        },
        {
            content: "The reminder now waits for its letter",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=to_send][aria-checked=true]",
        },
        {
            content: "Open the Delivery tab",
            trigger: ".o_notebook .nav-link[name=delivery]",
            run: "click",
        },
        {
            content: "The email channel is done (the test runs in English)",
            trigger: ".o_form_view .o_field_widget[name=email_state]:contains('Sent')",
        },
        // --- print the letter -------------------------------------------
        ...openReminderMenu("account_relance.relance_reminder_letters_menu"),
        {
            content: "The letter to print is listed",
            trigger: `.o_list_view ${ROW}`,
        },
        {
            content: "Select it",
            trigger: `${ROW} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Print the letters",
            trigger: ".o_control_panel button[name=action_print_letters]",
            run(actions) {
                // The PDF is offered as a download in a new window: record
                // it instead of opening a window in the test browser.
                unpatchOpen = patch(
                    browser,
                    {
                        open(url) {
                            if (String(url).includes("/web/content/")) {
                                document.body.classList.add("o_relance_tour_pdf");
                            }
                            return {closed: false};
                        },
                    },
                    {pure: true}
                );
                return actions.click();
            },
        },
        {
            content: "The PDF of the letters is downloaded",
            trigger: "body.o_relance_tour_pdf",
            run() {
                unpatchOpen();
                document.body.classList.remove("o_relance_tour_pdf");
            },
        },
        ...openReminderMenu("account_relance.relance_reminder_menu"),
        {
            content: "Open the reminder again, from the unfiltered list",
            trigger: `.o_list_view:not(:has(.o_searchview_facet)) ${ROW} td[name=partner_id]`,
            run: "click",
        },
        {
            content: "The reminder is printed",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=printed][aria-checked=true]",
        },
        {
            content: "Open the Delivery tab",
            trigger: ".o_notebook .nav-link[name=delivery]",
            run: "click",
        },
        {
            content: "The printed letter is kept on the reminder",
            trigger:
                ".o_form_view .o_field_widget[name=letter_attachment_id]:contains('.pdf')",
        },
    ],
});
