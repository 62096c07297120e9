def mask_phone(phone: str) -> str:
    """138****1234 — what lists show; the whole number only where a role needs it."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
