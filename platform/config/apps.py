"""The Django admin with our console site as its default (accounts.console.ConsoleSite), so every
`admin.register` — ours and third-party apps' — lands on a site whose writes run as actions."""

from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    default_site = "accounts.console.ConsoleSite"
