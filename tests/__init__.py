from . import test_install
from . import test_dispute
from . import test_promise
from . import test_credit_hold
from . import test_contact
from . import test_call_log
