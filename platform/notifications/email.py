"""Mail's binding for core.adapters: production refuses a mail backend that sends nothing anywhere
(console, memory, file, dummy) and SMTP without a real server or sender — password-reset codes and
staff invitations to an email address would otherwise vanish without an error."""

from __future__ import annotations

from django.conf import settings

from core.adapters import Binding, is_local

# Django's backends that keep mail on this machine: a stand-in for a mail server.
LOCAL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "console",
    "django.core.mail.backends.locmem.EmailBackend": "locmem",
    "django.core.mail.backends.filebased.EmailBackend": "filebased",
    "django.core.mail.backends.dummy.EmailBackend": "dummy",
}
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def binding() -> Binding:
    """core.adapters' probe: which mail backend is in use, and what SMTP lacks."""
    backend = settings.EMAIL_BACKEND
    if backend in LOCAL_BACKENDS:
        return Binding(adapter="email", backend=LOCAL_BACKENDS[backend], standin=True)
    if backend != SMTP:  # another real backend (an ESP's), configured by its own settings
        return Binding(adapter="email", backend=backend, standin=False)
    missing = []
    if not settings.EMAIL_HOST or is_local(f"smtp://{settings.EMAIL_HOST}"):
        missing.append("EMAIL_HOST")
    sender = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">").lower()
    if not sender or sender == "localhost" or sender.endswith(".localhost"):
        missing.append("DEFAULT_FROM_EMAIL")
    return Binding(adapter="email", backend=f"smtp://{settings.EMAIL_HOST}", standin=False, missing=tuple(missing))
