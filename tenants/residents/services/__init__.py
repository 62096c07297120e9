"""Writes about residents, one module per concern (as Zulip's zerver/actions/): people (records, the
phone and ID number checks, reveals), occupancies (relations to houses), bindings (owners' app
accounts to houses) and corrections (owners' own data). Callers use `services.<name>` from here."""

from tenants.residents.services.bindings import approve_binding, reject_binding, request_binding
from tenants.residents.services.corrections import (
    approve_correction,
    reject_correction,
    request_correction,
    update_own_contact,
)
from tenants.residents.services.occupancies import add_occupancy, move_out, update_occupancy
from tenants.residents.services.people import (
    NOTE_MAX_LENGTH,
    REVEALABLE,
    create_person,
    record_phone_search,
    reveal,
    update_person,
)

__all__ = [
    "NOTE_MAX_LENGTH",
    "REVEALABLE",
    "add_occupancy",
    "approve_binding",
    "approve_correction",
    "create_person",
    "move_out",
    "record_phone_search",
    "reject_binding",
    "reject_correction",
    "request_binding",
    "request_correction",
    "reveal",
    "update_occupancy",
    "update_own_contact",
    "update_person",
]
