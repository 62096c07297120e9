from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from core.identity import check_character, id_number_problem


def test_known_valid_numbers():
    # The standard's worked example and a number ending in X.
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("110101199003074514") is None
    assert id_number_problem(" 11010519491231002x ") is None  # spaces and a lower-case x are forgiven


def test_wrong_check_character_is_caught():
    assert "校验位" in id_number_problem("110101199003074515")


def test_shape_and_dates():
    assert "18 位" in id_number_problem("1101011990030745")
    assert "18 位" in id_number_problem("11010119900307451Y")
    assert "出生日期" in id_number_problem("110101199002304514")  # 30 February
    assert "出生日期" in id_number_problem("110101209903074514", today=date(2026, 11, 23))


@given(
    st.from_regex(r"\A[1-6][0-9]{5}\Z"),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)),
    st.from_regex(r"\A[0-9]{3}\Z"),
)
def test_any_number_with_its_check_character_is_valid_and_any_other_is_not(area, born, serial):
    first17 = f"{area}{born:%Y%m%d}{serial}"
    good = first17 + check_character(first17)
    assert id_number_problem(good, today=date(2026, 11, 23)) is None
    for other in "0123456789X":
        if other != good[-1]:
            assert id_number_problem(first17 + other, today=date(2026, 11, 23)) is not None
