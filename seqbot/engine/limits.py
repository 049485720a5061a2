"""The beam limit, kept under its old name for seqbot/app/settings.py: it lives in seqbot.contract.limits."""

from seqbot.contract.limits import MAX_BEAM  # noqa: F401
