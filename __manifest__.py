{
    "name": "Customer Payment Reminders (Relance client)",
    "summary": "Payment reminders that adapt to each customer's payment habit: "
    "follow-up plans, disputes, promises to pay, letters and late-payment charges",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "account_relance",
    "website": "https://github.com/account-relance/account_relance",
    "license": "LGPL-3",
    "depends": ["account", "sms"],
    "external_dependencies": {"python": ["phonenumbers", "lxml"]},
    "data": [
        "security/account_relance_groups.xml",
        "security/ir.model.access.csv",
        "security/account_relance_security.xml",
        "data/ir_sequence_data.xml",
        "views/relance_plan_views.xml",
        "views/relance_reminder_views.xml",
        "views/account_relance_menus.xml",
    ],
    "demo": ["demo/relance_demo.xml"],
    "installable": True,
    "application": False,
}
