from . import relance_plan
from . import relance_level
from . import relance_reminder
from . import relance_partner_behaviour
from . import account_move
from . import relance_dataset
