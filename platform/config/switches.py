"""The environment reader and the switches more than one settings module needs (config.settings,
config.settings_payments)."""

from __future__ import annotations

import environ

env = environ.Env()

# The one demo switch. `./wuye up` and the tests set it: outside services default to the local
# stand-ins (platform/standins, served under /_standins/ only with it) and the API returns SMS login
# codes to the caller. Without it and with DEBUG off, the process refuses to start while any adapter
# points at a stand-in or lacks its settings (core.adapters).
DEMO = env.bool("WUYE_DEMO", default=False)
