"""Cutting text at a word boundary (common.text.truncate_at_word and its template filter)."""

import unicodedata

import pytest
from django.template import Context, Template

from common.text import truncate_at_word

TITLE = "Chương trình hợp tác giữa thành phố Hà Nội và thành phố Minsk về diễn đàn kinh tế"


def test_text_that_fits_is_returned_unchanged():
    assert truncate_at_word("Hà Nội", 6) == "Hà Nội"


def test_a_long_title_is_cut_before_a_word_not_inside_it():
    cut = truncate_at_word(TITLE, 70)
    assert cut == "Chương trình hợp tác giữa thành phố Hà Nội và thành phố Minsk về diễn…"


def test_the_cut_text_with_its_ellipsis_never_exceeds_the_limit():
    for limit in range(2, len(TITLE)):
        assert len(truncate_at_word(TITLE, limit)) <= limit


@pytest.mark.parametrize("limit", range(8, 80))
def test_every_word_left_is_a_whole_word_of_the_original(limit):
    words = TITLE.split()
    kept = truncate_at_word(TITLE, limit).removesuffix("…").split()
    assert kept == words[: len(kept)]


def test_trailing_punctuation_is_dropped_before_the_ellipsis():
    assert truncate_at_word("Hà Nội, Minsk và Viêng Chăn", 14) == "Hà Nội, Minsk…"
    assert truncate_at_word("Hà Nội, Minsk và Viêng Chăn", 10) == "Hà Nội…"


def test_combining_marks_stay_with_their_letter_and_do_not_count():
    decomposed = unicodedata.normalize("NFD", "Thỏa thuận hợp tác hữu nghị")
    cut = truncate_at_word(decomposed, 18)
    assert cut == "Thỏa thuận hợp…"
    assert unicodedata.is_normalized("NFC", cut)


def test_chinese_text_without_spaces_is_cut_between_characters():
    assert truncate_at_word("北京市人民政府外事办公室代表团", 8) == "北京市人民政府…"


def test_a_single_word_longer_than_the_limit_is_cut_so_the_result_stays_bounded():
    assert truncate_at_word("https://example.invalid/very/long/path", 10) == "https://e…"


def test_the_template_filter_cuts_at_a_word_boundary():
    template = Template("{% load textcut %}{{ title|truncate_at_word:21 }}")
    assert template.render(Context({"title": TITLE})) == "Chương trình hợp tác…"


def test_the_template_filter_escapes_the_text_it_cuts():
    template = Template("{% load textcut %}{{ title|truncate_at_word:40 }}")
    assert template.render(Context({"title": "<b>Hà Nội</b> & Minsk"})) == (
        "&lt;b&gt;Hà Nội&lt;/b&gt; &amp; Minsk"
    )


def test_the_template_filter_prints_nothing_for_none():
    template = Template("{% load textcut %}{{ title|truncate_at_word:20 }}")
    assert template.render(Context({"title": None})) == ""
