from . import relance_call_log
