from . import report_relance_reminder
from . import report_relance_statement
