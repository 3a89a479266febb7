"""Each script family to Latin, with concrete names."""

from __future__ import annotations

from edge.screening import chinese, cyrillic, hangul
from edge.screening.japanese import spellings, split_kanji_name
from edge.screening.kana import kana_to_romaji
from edge.screening.names import render_name
from edge.screening.similarity import token_similarity
from edge.screening.text import skeleton


def test_japanese_long_vowels_and_kunrei_share_a_skeleton():
    assert {skeleton(s) for s in ("OHNO", "ONO", "OONO", "OHONO"[:0] + "OONO")} == {"ONO"}
    assert skeleton("SHINJI") == skeleton("SINZI")
    assert skeleton("TSUTOMU") == skeleton("TUTOMU")
    assert skeleton("FUJI") == skeleton("HUZI")
    assert skeleton("TAROU") == skeleton("TARO")


def test_kana_to_passport_hepburn():
    assert kana_to_romaji("オオノ") == ("ONO", "OONO")
    assert kana_to_romaji("しょうへい")[0] == "SHOHEI"
    assert kana_to_romaji("ハットリ")[0] == "HATTORI"
    assert kana_to_romaji("ジュンイチロウ")[0] == "JUNICHIRO"


def test_kanji_names_read_through_the_table():
    assert split_kanji_name("大野太郎") == ("大野", "太郎")
    sp, note = spellings("大野", "surnames")
    assert "ONO" in sp and "オオノ" in note
    assert {"NAKATA", "NAKADA"} <= set(spellings("中田", "surnames")[0])


def test_ohno_matches_kanji_and_katakana():
    (ja,) = [r for r in render_name("大野 太郎", "JPN")]
    assert ja.surname[0].source == "大野"
    assert token_similarity("OHNO", ja.surname[0].spellings[0])[0] >= 0.95
    (kana,) = render_name("オオノ タロウ")
    assert token_similarity("OHNO", kana.surname[0].spellings[0])[0] >= 0.95


def test_hangul_revised_mr_and_passport_spellings():
    assert "KIM" in hangul.romanise_surname("김") and "GIM" in hangul.romanise_surname("김")
    assert {"LEE", "YI", "RHEE"} <= set(hangul.romanise_surname("이"))
    assert {"PARK", "BAK"} <= set(hangul.romanise_surname("박"))
    rr, mr, passport = hangul.romanise_given("서연")
    assert (rr, mr, passport) == ("SEOYEON", "SOYON", "SUYUN")
    assert hangul.split_korean_name("남궁민수") == ("남궁", "민수")


def test_cyrillic_icao_and_older_spellings():
    assert cyrillic.transliterate("Иванов") == ("IVANOV",)
    assert cyrillic.transliterate("Юрий") == ("IURII", "YURY")
    assert skeleton("YURIY") == skeleton("IURII")
    assert cyrillic.transliterate("Наталья")[0] == "NATALIA"


def test_chinese_pinyin_wade_giles_and_cantonese():
    for char in ("張", "张"):
        sp = chinese.romanise_surname(char)
        assert sp[0] == "ZHANG" and "CHANG" in sp and "CHEUNG" in sp
    assert chinese.pinyin_to_wade_giles("xiao") == "hsiao"
    assert chinese.romanise_given("建国") == ("JIANGUO", "CHIENKUO")
    assert chinese.romanise_surname("曾")[0] == "ZENG"


def test_arabic_variants_are_one_name():
    sim, rel = token_similarity("MUHAMMAD", "MOHAMMED")
    assert sim >= 0.9 and rel in ("=", "≈")
    assert token_similarity("YUSUF", "YOUSSEF")[0] >= 0.9
    (r,) = render_name("AL-HASSAN, AHMED")
    assert r.surname[0].spellings[0] == "HASSAN"


def test_unrelated_short_names_do_not_match():
    assert token_similarity("MINSU", "MINJUN")[0] < 0.75
    assert token_similarity("SATO", "KATO")[0] < 0.9


def test_kanji_without_nationality_is_read_both_ways():
    scripts = [r.script for r in render_name("林 勇")]
    assert scripts == ["japanese", "chinese"]
    assert [r.script for r in render_name("林 勇", "JPN")] == ["japanese"]
    assert [r.script for r in render_name("林 勇", "CHN")] == ["chinese"]
