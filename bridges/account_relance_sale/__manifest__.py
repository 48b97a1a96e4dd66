{
    "name": "Customer Payment Reminders: Credit Hold on Sales Orders",
    "summary": "Sales orders of a customer on credit hold cannot be confirmed",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "account_relance",
    "website": "https://github.com/account-relance/account_relance",
    "license": "LGPL-3",
    "depends": ["account_relance", "sale"],
    "data": ["views/sale_order_views.xml"],
    "auto_install": True,
    "installable": True,
}
