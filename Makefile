# The two commands of the README.  Both set everything up on a machine that
# has Odoo 19.0 at ODOO_PATH (default /opt/odoo).
.PHONY: demo test lint bench crash screenshots

demo:
	bash dev/demo.sh

test:
	bash dev/test.sh

lint:
	bash dev/lint.sh

bench:
	bash bench/run.sh $(ARGS)

crash:
	bash bench/crash.sh $(ARGS)
