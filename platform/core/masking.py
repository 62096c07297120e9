import re


def mask_phone(phone: str) -> str:
    """138****1234 — what lists show; the whole number only where a role needs it."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(value: str) -> str:
    """110101********1234 — region and last four, the birth date hidden."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


# A number (digits, perhaps spaced or hyphenated) or a word (letters of any script).
_CONTACT_PART = re.compile(r"\d[\d \-]*\d|\d|[^\W\d_]+")


def mask_contact(text: str) -> str:
    """'王芳 139 0000 1111' → '王* 139****1111': free text naming someone else — each word keeps its
    first letter; a mobile-length number is masked like a phone, a shorter one (a landline, whose
    first three and last four would be all of it) keeps its last two digits at most."""

    def mask(match: re.Match[str]) -> str:
        part = match.group()
        if part[0].isdigit():
            digits = re.sub(r"\D", "", part)
            if len(digits) >= 11:
                return mask_phone(digits)
            return "*" * (len(digits) - 2) + digits[-2:] if len(digits) >= 7 else "*" * len(digits)
        return part[0] + "*" * (len(part) - 1)

    return _CONTACT_PART.sub(mask, text or "")
