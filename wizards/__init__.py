from . import relance_reminder_preview
from . import relance_reminder_preview_line
from . import relance_call_log
