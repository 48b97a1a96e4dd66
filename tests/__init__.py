from . import test_install
from . import test_late_charges
from . import test_letters
