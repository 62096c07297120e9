"""The residents kind's row-level conventions, before people are matched: a document number checked
against its type, and a name cell that holds several people (HC's notes suggest commas for two
owners) turned into one entry per person, each said in the report."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from tenants.imports.validation import Findings
from tenants.residents import pii
from tenants.residents.models import Relation

ID_COLUMN = "身份证号"
NAME_COLUMN = "姓名"

# Separators people put between two names in one cell: commas and the enumeration comma, any width;
# semicolons. A space separates names only when every part is two to four Chinese characters (a
# Latin name such as "Wang Fang" keeps its space).
_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
_CHINESE_NAMES = re.compile(r"[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})+")
_ONLY_FIRST = ("phone", "id_number", "id_type", "gender", "emergency_contact", "primary_payer")


def names_in(cell: str) -> list[str]:
    """The people a name cell names: '张三,李四', '张三、李四', '张三 李四' → two; '张三' → one."""
    parts = [part for part in _SEPARATORS.split(cell.strip()) if part]
    if len(parts) == 1 and _CHINESE_NAMES.fullmatch(parts[0]):
        parts = parts[0].split()
    return parts or [cell]


def checked_document(number: int, values: dict, findings: Findings) -> bool:
    """The row's document number checked against its stated or evident type (values["id_type"] set);
    False when it is refused (a problem added)."""
    document = values.get("id_number")
    if not document:
        values.pop("id_type", None)  # a type without a number says nothing about anyone
        return True
    id_type = values.get("id_type") or pii.infer_document_type(document)
    problem = pii.document_problem(id_type, document)
    if problem:
        findings.add(number, ID_COLUMN, problem)
        return False
    values["id_type"] = id_type
    return True


def people_of_row(number: int, values: dict, findings: Findings) -> list[dict]:
    """One values dict per person the row names. Two or more names: each person gets the row's house
    and relation; the phone, document and other personal columns stay with the first named (said);
    owners' shares are left to confirm (a share written for the cell cannot be split by guess)."""
    names = names_in(values["name"])
    if len(names) == 1:
        return [values]
    relation = Relation(values["relation"]).label
    message = _("一格中有 %(count)s 人（%(names)s）：按 %(count)s 位%(relation)s分别导入。") % {
        "count": len(names),
        "names": "、".join(names),
        "relation": relation,
    }
    if values["relation"] == Relation.OWNER:
        message += _("各自的产权份额待确认，请在房屋页面填写。")
    if any(values.get(key) for key in ("phone", "id_number")):
        message += _("本行的手机号、证件号记在第一位（%(name)s）名下，请核对。") % {"name": names[0]}
    findings.warn(number, NAME_COLUMN, message)
    entries = []
    for position, name in enumerate(names):
        entry = {key: value for key, value in values.items() if key != "share"}
        entry["name"] = name
        if position:
            for key in _ONLY_FIRST:
                entry.pop(key, None)
        entries.append(entry)
    return entries
