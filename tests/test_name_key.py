"""The key names are matched by (common.text.name_key)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.text import _key_by_characters, name_key


@pytest.mark.parametrize("typed", ["Xơ-un", "Xo un", "xoun", "XO-UN", "Xơ un"])
def test_case_accents_spaces_and_hyphens_are_ignored(typed):
    assert name_key(typed) == "xoun"


def test_d_with_stroke_is_d():
    assert name_key("Đà Nẵng") == name_key("da nang") == "danang"


def test_full_width_letters_are_ordinary_letters():
    assert name_key("ＴＯＫＹＯ") == "tokyo"


@pytest.mark.parametrize("name", ["ວຽງຈັນ", "กรุงเทพ", "ភ្នំពេញ", "ドバイ"])
def test_marks_that_spell_other_scripts_are_kept(name):
    assert name_key(name) == name


def test_hangul_is_compared_as_written():
    assert name_key("서울 ") == "서울"


@given(st.text(max_size=12))
def test_the_fast_path_and_the_character_loop_agree(text):
    assert name_key(text) == (_key_by_characters(text) if text else "")
