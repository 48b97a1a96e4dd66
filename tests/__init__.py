from . import test_install
from . import test_payment_behaviour
from . import test_reminder_engine
from . import test_reminder_job
