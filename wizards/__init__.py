from . import relance_reminder_preview
from . import relance_reminder_preview_line
