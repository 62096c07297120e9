"""The residents import's data-quality traps (issue 17): placeholders typed for missing values, two
owners in one cell, a blank move-in date, namesakes without phone or document, relations a later file
no longer lists, documents other than an 18-digit ID card, landlines and 86-prefixed mobiles, and
our own export imported back. Every workbook is built in code; counts and warnings are exact."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from core.identity import check_character, upgrade_first_generation
from tenants.residents import pii
from tenants.residents.models import Occupancy, Person
from tests.tenants.test_imports import (
    HOUSE_HEADER,
    ID_LI,
    ID_ZHANG,
    RESIDENT_HEADER,
    RESIDENTS,
    commit,
    dry_run,
    import_houses,
    xlsx,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]

HEADER = [*RESIDENT_HEADER[:7], "证件类型", *RESIDENT_HEADER[7:]]  # 证件类型 after 身份证号


@pytest.fixture
def admin_a(client_for, company_a):
    client = client_for(company_a, "admin")
    import_houses(client)
    return client


def row(number, name, phone="", document="", kind="", gender="", relation="业主", moved_in=None, share=None):
    building = "2栋" if str(number) == "101-2" else "1栋"
    place = ["翠湖苑", building, "1单元", "101" if building == "2栋" else number]
    return [*place, name, phone, document, kind, gender, relation, moved_in, share, None, None]


def warnings_of(record):
    return [(w["row"], w["column"], w["message"]) for w in record["warnings"]]


def test_placeholders_import_as_missing_with_a_warning_and_never_merge_two_people(admin_a, company_a):
    rows = [
        row(101, "王伟", "11111111111", "111111111111111111", gender="未知"),
        row(102, "王伟", "11111111111", "", relation="租户"),
        row(201, "赵敏", "13800000000", "无", gender="女"),
        row("101-2", "钱进", "12345678901", "000000000000000000", relation="租户"),
    ]
    record = dry_run(admin_a, "residents", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    found = warnings_of(record)
    placeholders = [w for w in found if "占位值" in w[2]]
    assert [(r, c) for r, c, _m in placeholders] == [
        (2, "手机号"),
        (2, "身份证号"),
        (2, "性别"),
        (3, "手机号"),
        (4, "手机号"),
        (4, "身份证号"),
        (5, "手机号"),
        (5, "身份证号"),
    ]
    assert "“11111111111”是占位值" in placeholders[0][2]
    # Each row is left with neither phone nor document: said once per row as well.
    assert [r for r, _c, m in found if "没有手机号和证件号" in m] == [2, 3, 4, 5]
    counts = record["counts"]
    assert (counts["create"], counts["new_persons"], counts["warnings"], counts["errors"]) == (4, 4, 12, 0)
    assert record["report_url"]  # the warnings are in the downloadable report too
    assert commit(admin_a, record)["status"] == "done"
    with tenant_context(company_a):
        assert Person.objects.filter(name="王伟").count() == 2  # one placeholder phone, two people
        for person in Person.objects.all():
            assert (person.phone, person.phone_index, person.id_number, person.id_number_index) == ("", "", "", "")
            assert person.gender in ("", "female")


def test_hc_own_placeholders_phone_id_default_gender_and_age(admin_a, company_a):
    """HC's notes: phone 没有时固定写18999999999, ID 111111111111111111, gender 没有信息固定写男,
    age 没有固定写1 — typed as numbers, as an HC clerk's sheet has them."""
    header = [*HEADER, "年龄"]
    rows = [
        [*row(101, "吴学文", 18999999999, "111111111111111111", gender="男"), 1],
        [*row(102, "李强", 18999999999, "", gender="男"), 1],
        [*row(201, "周杰", 13812345678, "", gender="男"), 35],  # a real man, a real age
    ]
    record = dry_run(admin_a, "residents", xlsx(header, rows))
    assert record["status"] == "ready", record["errors"]
    assert warnings_of(record)[0] == (None, "年龄", "“年龄”列未导入：住户档案不记录年龄（1 行填了年龄）。")
    by_row = {}
    for number, column, _message in warnings_of(record)[1:]:
        by_row.setdefault(number, []).append(column)
    assert by_row == {
        2: ["手机号", "身份证号", "年龄", "性别", "手机号"],
        3: ["手机号", "年龄", "性别", "手机号"],
    }
    assert "“18999999999”是占位值" in warnings_of(record)[1][2]
    assert (record["counts"]["new_persons"], record["counts"]["warnings"]) == (3, 10)
    commit(admin_a, record)
    with tenant_context(company_a):
        genders = {p.name: (p.gender, p.phone) for p in Person.objects.all()}
        assert genders == {"吴学文": ("", ""), "李强": ("", ""), "周杰": ("male", "13812345678")}


def test_two_owners_in_one_cell_become_two_owners_with_shares_to_confirm(admin_a, company_a):
    rows = [
        row(101, "张三,李四", "13812345678", ID_ZHANG, moved_in="2020-05-01", share=100),
        row(102, "王五、赵六", relation="业主"),
        row(201, "孙七 周八", relation="家庭成员"),
        row("101-2", "Wang Fang", "13900001111", relation="租户"),
    ]
    record = dry_run(admin_a, "residents", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    counts = record["counts"]
    assert (counts["rows"], counts["create"], counts["new_persons"]) == (4, 4, 7)
    split = [(r, m) for r, c, m in warnings_of(record) if c == "姓名"]
    assert [r for r, _m in split] == [2, 3, 4]
    assert "一格中有 2 人（张三、李四）：按 2 位业主分别导入。各自的产权份额待确认" in split[0][1]
    assert "记在第一位（张三）名下" in split[0][1]
    assert "家庭成员" in split[2][1] and "产权份额" not in split[2][1]
    commit(admin_a, record)
    with tenant_context(company_a):
        owners = Occupancy.objects.filter(house__number="101", house__building__name="1栋").order_by("person__name")
        assert [(o.person.name, o.relation, o.share, o.moved_in) for o in owners] == [
            ("张三", "owner", None, date(2020, 5, 1)),
            ("李四", "owner", None, date(2020, 5, 1)),
        ]
        zhang, li = Person.objects.get(name="张三"), Person.objects.get(name="李四")
        assert (zhang.phone, zhang.id_number, li.phone, li.id_number) == ("13812345678", ID_ZHANG, "", "")
        assert Person.objects.filter(name="Wang Fang").count() == 1
    again = dry_run(admin_a, "residents", xlsx(HEADER, rows))
    assert (again["counts"]["unchanged"], again["counts"]["new_persons"], again["counts"]["ended"]) == (4, 0, 0)


def test_a_blank_move_in_date_stays_blank(admin_a, company_a):
    record = dry_run(admin_a, "residents", xlsx(HEADER, [row(101, "张伟", "13812345678")]))
    commit(admin_a, record)
    with tenant_context(company_a):
        assert Occupancy.objects.get().moved_in is None
    with tenant_context(company_a):
        house_id = Occupancy.objects.get().house_id
    page = admin_a.get(f"/api/v1/houses/{house_id}/")
    assert page.status_code == 200, page.content
    again = dry_run(admin_a, "residents", xlsx(HEADER, [row(101, "张伟", "13812345678")]))
    assert again["counts"]["unchanged"] == 1


def test_namesakes_without_phone_or_document_are_never_merged(admin_a, company_a):
    rows = [row(101, "张伟"), row(102, "张伟"), row(201, "张伟", relation="租户")]
    record = dry_run(admin_a, "residents", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["create"], record["counts"]["new_persons"]) == (3, 3)
    commit(admin_a, record)
    with tenant_context(company_a):
        assert Person.objects.filter(name="张伟").count() == 3
    again = dry_run(admin_a, "residents", xlsx(HEADER, rows))
    assert (again["counts"]["unchanged"], again["counts"]["new_persons"], again["counts"]["ended"]) == (3, 0, 0)


def test_a_later_file_ends_the_relations_it_no_longer_lists_after_the_dry_run_shows_them(admin_a, company_a):
    first = [
        row(101, "张伟", "13812345678", ID_ZHANG, moved_in="2015-01-01", share=100),
        row(101, "张小明", "13700002222", relation="家庭成员"),
    ]
    commit(admin_a, dry_run(admin_a, "residents", xlsx(HEADER, first)))
    # The house was sold: the new export names its new owner only (the family row is kept).
    later = [row(101, "李娜", "13900001111", ID_LI, moved_in="2025-06-01", share=100), first[1]]
    record = dry_run(admin_a, "residents", xlsx(HEADER, later))
    assert record["status"] == "ready", record["errors"]
    assert (record["counts"]["create"], record["counts"]["unchanged"], record["counts"]["ended"]) == (1, 1, 1)
    today = timezone.localdate().isoformat()
    assert warnings_of(record) == [
        (2, "姓名", f"将结束 张伟 的业主关系：文件中该房屋的业主已不含此人，迁出日期记为 {today}。")
    ]
    with tenant_context(company_a):  # the dry run wrote nothing
        assert Occupancy.objects.filter(moved_out__isnull=True).count() == 2
    done = commit(admin_a, record)
    assert done["status"] == "done" and done["counts"]["ended"] == 1
    with tenant_context(company_a):
        owners = Occupancy.objects.filter(relation="owner").order_by("id")
        assert [(o.person.name, o.moved_out is None) for o in owners] == [("张伟", False), ("李娜", True)]
        assert owners[0].moved_out == timezone.localdate() and not owners[0].is_primary_payer
        event = AuditEvent.objects.get(action="import.relations_ended")
        assert event.after == {"ended": [{"occupancy": owners[0].pk, "moved_out": today}]}
    again = dry_run(admin_a, "residents", xlsx(HEADER, later))
    assert (again["counts"]["unchanged"], again["counts"]["ended"]) == (2, 0)


def test_other_documents_landlines_and_86_prefixes_have_somewhere_to_live(admin_a, company_a):
    first_generation = "110105491231002"  # born 1949-12-31
    rows = [
        row(101, "张伟", "+86 138 1234 5678", first_generation),
        row(102, "陈港生", "86 139 0000 1111", "H12345678"),
        row(201, "林台", "(010) 1234-5678", "12345678", "台胞证"),
        row("101-2", "John Smith", "0755-87654321转801", "E12345678", "护照", relation="租户"),
    ]
    record = dry_run(admin_a, "residents", xlsx(HEADER, rows))
    assert record["status"] == "ready", record["errors"]
    assert record["warnings"] == []
    commit(admin_a, record)
    with tenant_context(company_a):
        stored = {p.name: (p.phone, p.id_type, p.id_number, p.id_number_masked) for p in Person.objects.all()}
        assert stored == {
            "张伟": ("13812345678", "id_card", first_generation, "110105*****1002"),
            "陈港生": ("13900001111", "hk_macao", "H12345678", "*********"),
            "林台": ("01012345678", "taiwan", "12345678", "********"),
            "John Smith": ("075587654321转801", "passport", "E12345678", "*********"),
        }
        zhang = Person.objects.get(name="张伟")
        # Indexed by type and number; the 15-digit number by its 18-digit form.
        assert zhang.id_number_index == pii.id_number_index(upgrade_first_generation(first_generation))
        assert Person.objects.get(name="John Smith").id_number_index == pii.id_number_index("E12345678", "passport")
        assert pii.id_number_index("E12345678", "passport") != pii.id_number_index("E12345678", "other")
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM residents_person WHERE name = 'John Smith'")
            raw_id, raw_phone = cursor.fetchone()
        assert "E12345678" not in raw_id and "87654321" not in raw_phone
    # The same person's second-generation number is the same person.
    upgraded = upgrade_first_generation(first_generation)
    assert upgraded == "11010519491231002" + check_character("11010519491231002") == ID_ZHANG
    again = dry_run(admin_a, "residents", xlsx(HEADER, [row(101, "张伟", "13812345678", ID_ZHANG)]))
    assert (again["counts"]["unchanged"], again["counts"]["new_persons"]) == (1, 0)
    # A number whose type cannot be told from its shape needs the column.
    unknown = dry_run(admin_a, "residents", xlsx(HEADER, [row(102, "某人", "13700002222", "E12345678")]))
    assert unknown["status"] == "invalid" and unknown["errors"][0]["column"] == "身份证号"
    assert "证件类型" in unknown["errors"][0]["message"]


def test_the_residents_export_imports_back_unchanged(admin_a, company_a):
    record = dry_run(admin_a, "residents", xlsx(RESIDENT_HEADER, RESIDENTS))
    commit(admin_a, record)
    exported = admin_a.get("/api/v1/residents/?format=xlsx")
    assert exported.status_code == 200 and b"13812345678" not in exported.content
    again = dry_run(admin_a, "residents", exported.content, name="住户.xlsx")
    assert again["status"] == "ready", again["errors"]
    counts = again["counts"]
    assert (counts["rows"], counts["create"], counts["update"], counts["unchanged"]) == (len(RESIDENTS), 0, 0, 5)
    assert (counts["new_persons"], counts["updated_persons"], counts["ended"], again["warnings"]) == (0, 0, 0, [])
    # A filtered export (张伟 only; 李娜 co-owns 1栋101) speaks for none of its houses: nothing ends.
    filtered = admin_a.get("/api/v1/residents/?search=张伟&format=xlsx")
    partial = dry_run(admin_a, "residents", filtered.content, name="住户-张伟.xlsx")
    assert (partial["status"], partial["counts"]["unchanged"], partial["counts"]["ended"]) == ("ready", 2, 0)


def test_a_house_export_template_row_keeps_house_numbers_as_text(admin_a):
    # 房号 0101 keeps its zero through a text-formatted column (houses import, then residents).
    rows = [["翠湖苑", "3栋", "1单元", "0101", 1, 80, 70, "", "住宅", "空置", 1]]
    houses = dry_run(admin_a, "houses", xlsx(HOUSE_HEADER, rows))
    commit(admin_a, houses)
    record = dry_run(
        admin_a,
        "residents",
        xlsx(HEADER, [["翠湖苑", "3栋", "1单元", "0101", "周杰", "13812345678", "", "", "", "业主"]]),
    )
    assert record["status"] == "ready", record["errors"]
