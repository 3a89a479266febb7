"""Screening travellers end to end on an in-memory watchlist."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from edge.screening import Screener, Thresholds
from edge.screening.dates import (
    ABSENT,
    CONFLICT,
    DIGIT,
    EXACT,
    SWAP,
    YEAR,
    evidence_kinds,
    pack_date,
)
from edge.screening.documents import normalise_number
from edge.screening.screener import MAX_SCORED

from .conftest import WATCHLIST, traveller


def alerts(screener: Screener, t: dict) -> list[str]:
    return [h.entry_id for h in screener.screen(t).alerts]


def test_ohno_alerts_on_kanji_entry_with_readable_explanation(screener):
    result = screener.screen(traveller("OHNO", "TARO", "1969-08-06", "JPN", "M"))
    assert [h.entry_id for h in result.alerts] == ["W-OHNO"]
    why = result.alerts[0].explanation
    assert "surname OHNO ≈ 大野 (reading オオノ" in why
    assert "given name TARO ≈ 太郎" in why
    assert "born 1969-08-06 = 1969-08-06" in why
    assert result.alerts[0].action == "detain" and result.data_version == 3


def test_each_script_family_alerts(screener):
    assert alerts(screener, traveller("ONO", "TARO", "1969-08-06")) == ["W-OHNO"]
    assert alerts(screener, traveller("SATO", "HANAKO", "1980-02-03")) == ["W-SATO-KANA"]
    assert alerts(screener, traveller("KIM", "MIN JUN", "1985-03-02")) == ["W-KIM"]
    assert alerts(screener, traveller("GIM", "MINJUN", "1985-03-02")) == ["W-KIM"]
    assert alerts(screener, traveller("RHEE", "SEOYEON", "1990-11-21")) == ["W-LEE"]
    assert alerts(screener, traveller("IVANOV", "IVAN", "1970-04-04")) == ["W-IVANOV"]
    assert alerts(screener, traveller("SMIRNOV", "YURIY", "1975-01-15")) == ["W-YURIY"]
    assert alerts(screener, traveller("ZHANG", "WEI", "1980-01-02")) == ["W-ZHANG"]
    assert alerts(screener, traveller("CHEUNG", "WAI", "1980-01-02")) == ["W-ZHANG"]
    assert alerts(screener, traveller("MUHAMMAD", "ALI HASSAN", "1975-05-05")) == ["W-MOHAMMED"]


def test_swapped_dropped_merged_and_split_names(screener):
    swapped = screener.screen(traveller("TARO", "OHNO", "1969-08-06"))
    assert [h.entry_id for h in swapped.alerts] == ["W-OHNO"]
    assert "swapped" in swapped.alerts[0].explanation
    assert alerts(screener, traveller("SMITH", "JOHN", "1960-03-04")) == [
        "W-SMITH"
    ]  # middle name dropped
    assert alerts(screener, traveller("ALRASHID", "ABDULRAHMAN", "1966-12-01")) == ["W-ABDUL"]
    assert alerts(screener, traveller("EL RASHID", "ABDUL RAHMAN", "1966-12-01")) == ["W-ABDUL"]


LONG = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF"  # 35 letters: the MRZ keeps MA of MAXIMILIAN


def test_mrz_truncation_and_ocr_confusion(screener):
    truncated = screener.screen(traveller(LONG, "MA", "1977-07-07"))
    assert [h.entry_id for h in truncated.alerts] == ["W-LONG"]
    assert "truncated" in truncated.alerts[0].explanation
    typo = LONG.replace("STEIN", "STE1N")
    assert alerts(screener, traveller(typo, "MAXIMILIAN", "1977-07-07")) == ["W-LONG"]
    assert alerts(screener, traveller("IVAN0V", "IVAN", "1970-04-04")) == ["W-IVANOV"]


def test_birth_date_rules():
    q = pack_date("1969-08-06")
    listed = np.array(
        [pack_date(d) for d in ("1969-08-06", "1969", "1969-06-08", "1969-08-05", "", "1971-02-03")]
    )
    assert list(evidence_kinds(q, listed)) == [EXACT, YEAR, SWAP, DIGIT, ABSENT, CONFLICT]
    assert evidence_kinds(q, np.array([pack_date("1970")]))[0] == CONFLICT


def test_date_variations_still_alert(screener):
    assert alerts(screener, traveller("OHNO", "TARO", "1969-06-08")) == [
        "W-OHNO"
    ]  # day/month swapped
    assert alerts(screener, traveller("OHNO", "TARO", "1969-08-05")) == ["W-OHNO"]  # one digit off
    assert alerts(screener, traveller("SMITH", "JOHN PAUL", "1960-11-30")) == [
        "W-SMITH"
    ]  # year only


def test_innocent_namesake_born_another_day_is_not_alerted(screener):
    result = screener.screen(traveller("OHNO", "TARO", "1991-03-14", "JPN", "M"))
    assert result.alerts == []
    assert alerts(screener, traveller("KIM", "MINJUN", "2001-10-10", "KOR")) == []
    assert alerts(screener, traveller("SMITH", "JOHN PAUL", "1985-01-01")) == []  # other year


def test_different_people_are_not_alerted(screener):
    assert alerts(screener, traveller("KATO", "JIRO", "1969-08-06")) == []
    assert alerts(screener, traveller("KIM", "MINSU", "1985-03-02")) == []


def test_document_exact_match_after_normalisation(screener):
    result = screener.screen(traveller("DOE", "JANE", "1990-01-01", "JPN", doc="tr-123 4567"))
    assert [h.entry_id for h in result.alerts] == ["D-STOLEN"]
    assert result.alerts[0].basis == "document" and "lost or stolen" in result.alerts[0].explanation
    other_country = screener.screen(traveller("DOE", "JANE", "1990-01-01", "FRA", doc="TR1234567"))
    assert other_country.alerts == [] and other_country.hits[0].entry_id == "D-STOLEN"
    assert (
        screener.screen(traveller("DOE", "JANE", "1990-01-01", "JPN", doc="TR1234568")).hits == []
    )
    assert normalise_number(" tr 123-4567< ") == "TR1234567"


def test_per_category_thresholds():
    strict = Screener.from_entries(WATCHLIST, thresholds=Thresholds(0.85, {"wanted": 1.01}))
    result = strict.screen(traveller("OHNO", "TARO", "1969-08-06"))
    assert result.hits[0].entry_id == "W-OHNO" and result.alerts == []
    lenient = Screener.from_entries(WATCHLIST, thresholds=Thresholds(0.85, {"deportee": 0.5}))
    assert "W-KIM" in [
        h.entry_id for h in lenient.screen(traveller("KIM", "MINSU", "1985-03-02")).alerts
    ]


def test_visa_checks(screener):
    today = date(2026, 11, 27)
    ok = screener.screen(
        traveller("TANAKA", "KENJI", "1988-05-05", "JPN", doc="AB1000001"), today
    ).visa
    assert ok.status == "valid" and ok.visa_number == "V-OK"
    expired = screener.screen(
        traveller("GARCIA", "ANA", "1990-01-01", "ESP", doc="AB1000002"), today
    )
    assert expired.visa.status == "expired"
    used = screener.screen(
        traveller("NGUYEN", "VAN AN", "1992-02-02", "VNM", doc="AB1000003"), today
    )
    assert used.visa.status == "used" and "already used" in used.visa.reasons[0]
    mismatch = screener.screen(
        traveller("PEREIRA", "JOAO", "1970-07-07", "MEX", doc="AB1000004"), today
    )
    assert mismatch.visa.status == "mismatch"
    missing = screener.screen(traveller("TANAKA", "KENJI", "1988-05-05", "JPN", doc="ZZ9"), today)
    assert missing.visa.status == "not_found"
    early = screener.screen(
        traveller("TANAKA", "KENJI", "1988-05-05", "JPN", doc="AB1000001"), date(2025, 12, 1)
    )
    assert early.visa.status == "not_yet_valid"


def test_result_dict_shape(screener):
    out = screener.screen(traveller("OHNO", "TARO", "1969-08-06")).to_dict()
    assert out["alerts"] == ["W-OHNO"] and out["hits"][0]["entry"] == "W-OHNO"
    assert set(out["hits"][0]) >= {"entry", "score", "why"} and out["ms"] >= 0


def test_typing_error_in_a_variant_the_entry_does_not_use():
    """MUAHMMAD is MUHAMMAD mistyped; the list writes MOHAMMED. Found and alerted; a name one
    error away from no spelling of the entry's name is not."""
    entries = [
        {"id": "W-1", "names": ["AL-HASSAN, MOHAMMED NASSER"], "birth_date": "1971-04-09",
         "nationality": "SYR", "sex": "M", "category": "wanted"},
        {"id": "W-2", "names": ["ABDULLAH, FATIMA SALMAN"], "birth_date": "1983-10-02",
         "nationality": "EGY", "sex": "F", "category": "wanted"},
    ]  # fmt: skip
    s = Screener.from_entries(entries)
    hit = s.screen(traveller("AL HASSAN", "MUAHMMAD NASSER", "1971-04-09", "SYR", "M"))
    assert [h.entry_id for h in hit.alerts] == ["W-1"]
    assert "MUAHMMAD ~ MOHAMMED" in hit.alerts[0].explanation
    # FAMTA: FATMA (a listed variant of FATIMA) with two letters swapped.
    assert alerts(s, traveller("ABDULLAH", "FAMTA SALMAN", "1983-10-02", "EGY", "F")) == ["W-2"]
    assert alerts(s, traveller("AL HASSAN", "MURAD NASSER", "1971-04-09", "SYR", "M")) == []


def test_two_names_run_together_around_a_dropped_one():
    entries = [{"id": "W-1", "names": ["AL-HASSAN, JAMAL TARIQ SABER"], "birth_date": "1976-01-15",
                "nationality": "SYR", "sex": "M", "category": "wanted"}]  # fmt: skip
    s = Screener.from_entries(entries)
    result = s.screen(traveller("AL HASSAN", "JAMALSABER", "1976-01-15", "SYR", "M"))
    assert [h.entry_id for h in result.alerts] == ["W-1"]
    assert "JAMALSABER = JAMAL SABER" in result.alerts[0].explanation
    assert "TARIQ not in traveller's" in result.alerts[0].explanation
    # The two names must be in the entry's order and not adjacent-only fragments of one name.
    assert alerts(s, traveller("AL HASSAN", "SABERJAMAL", "1976-01-15", "SYR", "M")) == []


def test_first_two_letters_swapped_is_a_typing_error_not_another_name():
    entries = [{"id": "W-1", "names": ["AL-HISHAM, AISHA OMAR"], "birth_date": "1989-10-13",
                "nationality": "SYR", "sex": "F", "category": "wanted"}]  # fmt: skip
    s = Screener.from_entries(entries)
    assert alerts(s, traveller("EL IHSHAM", "AYESHA OMAR", "1989-10-13", "SYR", "F")) == ["W-1"]


def test_namesakes_count_one_name_once_and_syllables_as_one_name():
    """HUSSEIN ... HUSSAIN is one name twice, DO YUN one name in two syllables: the namesake
    count must not become 'anyone sharing any two tokens'."""
    entries = [
        {
            "id": f"H{i}",
            "names": [f"HUSSEIN, {g} HUSSAIN"],
            "birth_date": f"19{50 + i % 40}-01-0{1 + i % 9}",
            "category": "wanted",
        }
        for i, g in enumerate(["ALI", "OMAR", "KARIM", "WALID"] * 5)
    ] + [
        {"id": "S-1", "names": ["HUSSEIN, SAMIR"], "birth_date": "1960-05-05", "category": "wanted"}
    ]
    entries += [{"id": f"K{i}", "names": [f"윤{c}"], "birth_date": "1970-02-02", "category": "wanted"}
                for i, c in enumerate(["도윤", "도현", "서윤", "하윤", "민준"])]  # fmt: skip
    s = Screener.from_entries(entries)
    assert s._namesakes(["HUSSEIN"], ["SAMIR", "HUSSAIN"]) == 1
    assert s._namesakes(["YOON"], ["DO", "YUN"]) == s._namesakes(["YOON"], ["DOYUN"]) == 1


def test_name_frequency_is_counted_within_the_travellers_nationality(tmp_path):
    """OMAR MAHMOUD listed 40 times as Syrian and once as Egyptian is a rare name for an
    Egyptian traveller. Kept in the index directory; a directory written before the
    nationality column existed still loads and counts over all nationalities."""
    from edge.screening import build_directory

    entries = [
        {"id": f"S{i}", "names": ["OMAR, MAHMOUD"], "birth_date": f"19{50 + i}-03-0{1 + i % 9}",
         "nationality": "SYR", "category": "wanted"}
        for i in range(40)
    ] + [{"id": "E1", "names": ["OMAR, MAHMOUD"], "birth_date": "1970-05-05", "nationality": "EGY",
          "category": "wanted"}]  # fmt: skip
    memory = Screener.from_entries(entries)
    assert memory._namesakes(["OMAR"], ["MAHMOUD"], "EGY") == 1
    assert memory._namesakes(["OMAR"], ["MAHMOUD"], "SYR") == 40
    assert memory._namesakes(["OMAR"], ["MAHMOUD"], None) == 41
    egyptian = memory.screen(traveller("OMAR", "MAHMOUD", "1970-05-06", "EGY", "M"))
    assert [h.entry_id for h in egyptian.alerts] == ["E1"]
    build_directory(entries, tmp_path / "index", version=1)
    loaded = Screener.load(tmp_path / "index")
    assert loaded._namesakes(["OMAR"], ["MAHMOUD"], "EGY") == 1
    (tmp_path / "index" / "nationality.npy").unlink()
    older = Screener.load(tmp_path / "index")
    assert older._namesakes(["OMAR"], ["MAHMOUD"], "EGY") == 41


def test_a_travellers_surname_or_all_given_names_missing_from_the_entry_is_another_name():
    """DENG LIJU is not 李举 (LI JU) because LIJU spells the whole entry: the traveller's
    surname matches nothing. A passport never leaves out its surname."""
    entries = [{"id": "W-1", "names": ["李举"], "birth_date": "1980-01-01", "nationality": "CHN",
                "category": "wanted"}]  # fmt: skip
    s = Screener.from_entries(entries)
    assert alerts(s, traveller("DENG", "LIJU", "1980-01-01", "CHN")) == []
    assert alerts(s, traveller("LI", "JU", "1980-01-01", "CHN")) == ["W-1"]
    result = s.screen(traveller("DENG", "LIJU", "1980-01-01", "CHN"))
    assert all(h.score < 0.8 for h in result.hits)


def test_a_name_split_in_two_reaches_only_entries_holding_both_halves():
    """KIMHYONPIL (surname and given name run together) is KIM HYONPIL, not every KIM: a
    split token's candidates are the entries that hold both halves."""
    entries = [{"id": "T", "names": ["KIM, HYONPIL"], "category": "wanted"}]
    entries += [{"id": f"K{i}", "names": [f"KIM, {g}"], "category": "wanted"}
                for i, g in enumerate(["MINJUN", "SEOYEON", "JIHO", "HAYUN", "DOYUN"] * 8)]  # fmt: skip
    entries += [{"id": "P", "names": ["PARK, HYONPIL"], "category": "wanted"}]
    s = Screener.from_entries(entries)
    reached = s.names.token_entries("KIMHYONPIL")
    assert {e["id"] for e in s.store.get_many([int(p) for p in reached]).values()} == {"T"}


def test_crowded_candidates_are_scored_strongest_evidence_first():
    """When more entries than can be scored share a traveller's names, those whose date and
    nationality evidence could score highest are scored first: LONG JI (the MRZ cut JIMASA
    short) born on the listed day, German, is found among 80 listed LONG JI... born that day
    whose nationality is not recorded."""
    born = "1988-11-23"
    entries = [{"id": f"R{i}", "names": [f"{LONG}, JIN{chr(65 + i % 26)}{chr(65 + i // 26)}"],
                "birth_date": born, "category": "wanted"} for i in range(80)]  # fmt: skip
    entries.append({"id": "W-1", "names": [f"{LONG}, JIMASA"], "birth_date": born,
                    "nationality": "DEU", "category": "wanted"})  # fmt: skip
    s = Screener.from_entries(entries)
    result = s.screen(traveller(LONG, "JI", born, "DEU", "M"))
    assert result.candidates > MAX_SCORED and result.scored == MAX_SCORED
    assert "W-1" in alerts(s, traveller(LONG, "JI", born, "DEU", "M"))


def test_a_whole_name_match_is_scored_among_many_born_on_the_day():
    """The other way round: 60 listed TAKO... born on the traveller's day share one name with
    TAKO YUKIYO; the listed TAKO YUKIYO (no birth date recorded) must still be scored."""
    born = "1957-10-08"
    entries = [{"id": f"R{i}", "names": [f"TAKO, {g}"], "birth_date": born, "nationality": "JPN",
                "category": "wanted"}
               for i, g in enumerate(f"{a}{b}" for a in ("KEN", "SHO", "DAI", "RYO", "JUN", "KAI")
                                     for b in ("TA", "GO", "JI", "SUKE", "HEI", "ZO", "MA", "YA", "TO", "KI"))]  # fmt: skip
    entries.append({"id": "W-1", "names": ["タコ ユウキヨ"], "sex": "F", "category": "deportee"})
    s = Screener.from_entries(entries)
    result = s.screen(traveller("TAKO", "YUKIYO", born, "JPN", "F"))
    assert result.candidates > MAX_SCORED and result.scored == MAX_SCORED
    assert "W-1" in [h.entry_id for h in result.alerts]


def test_names_run_together_are_looked_up_by_spelling_and_sound_only():
    """TAKO YUKIYO run together (TAKOYUKIYO) must not reach every name whose consonants are
    T-K-K or that begins with TAKO: joined names are compared by spelling and sound only."""
    entries = [{"id": "J", "names": ["TAKOYUKIYO, HANA"], "category": "wanted"},
               {"id": "C", "names": ["TAKAKO, HANA"], "category": "wanted"},
               {"id": "E", "names": ["TAKOYUKIYA, HANA"], "category": "wanted"}]  # fmt: skip
    s = Screener.from_entries(entries)

    def reached(loose: bool) -> set[str]:
        found = s.names.token_entries("TAKOYUKIYO", loose)
        return {e["id"] for e in s.store.get_many([int(p) for p in found]).values()}

    assert reached(loose=False) == {"J", "E"}  # the same, and one typing error away
    assert "C" in reached(loose=True)  # consonant key TKK: fine for one name, not for two


def test_namesakes_never_leave_out_the_surname():
    """YASIR HANAN HUSSEIN is as common as the listed YASIR HANAN..., not as every HANAN
    HUSSEIN of other families: the one name a namesake may lack is never the surname. Counted
    as 31, a birth date one digit off could not alert; counted as 1, it does."""
    families = ["HADDAD", "KHOURY", "MANSOUR", "NASSAR", "HAMDAN", "QURESHI", "AZIZ", "KHAN",
                "RAHMAN", "OMAR", "BAKR", "SHARIF", "MALIK", "MIRZA", "IQBAL", "HABIB", "FARAH",
                "JABER", "AWAD", "TAHA", "ZAYED", "SHAHIN", "NAJJAR", "OBEID", "SABBAGH",
                "KHALIFA", "BARAKAT", "DARWISH", "GHANEM", "HIJAZI"]  # fmt: skip
    entries = [{"id": f"F{i}", "names": [f"{f}, HANAN HUSSEIN"], "birth_date": f"19{60 + i}-01-01",
                "nationality": "SAU", "category": "wanted"} for i, f in enumerate(families)]  # fmt: skip
    entries.append({"id": "W-1", "names": ["YASSER, HANAN HUSSEIN AHMED"], "birth_date": "1957-02-24",
                     "nationality": "SAU", "sex": "F", "category": "wanted"})  # fmt: skip
    s = Screener.from_entries(entries)
    assert s._namesakes(["HADDAD"], ["HANAN", "HUSSEIN"], "SAU") == 1
    assert s._namesakes(["YASSER"], ["HANAN", "HUSSEIN"], "SAU") == 1
    assert alerts(s, traveller("YASIR", "HANAN HUSSEIN", "1957-04-24", "SAU", "F")) == ["W-1"]


def test_short_names_whose_vowels_differ_are_variants():
    """HUDA / HODA, MONA / MUNA: vowels vary in short Arabic-derived names as in long ones
    (a consonant key of two letters, four letters or more). Not between spellings romanised
    here from another script, which are all listed already, and not for three-letter syllables
    (JIN is not JUN)."""
    from edge.screening.similarity import token_similarity

    assert token_similarity("HODA", "HUDA") == (0.93, "≈")
    assert token_similarity("MONA", "MUNA") == (0.93, "≈")
    assert token_similarity("HODA", "HUDA", True, False)[0] < 0.9
    assert token_similarity("JIN", "JUN")[1] != "≈"
    s = Screener.from_entries([{"id": "W-1", "names": ["AKHTAR, HUDA MOHAMMED OMAR"],
                                "birth_date": "1947", "nationality": "SYR", "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller("AKHTAR", "HODA MOHAMMED UMAR", "1947-07-21", "SYR", "F")) == ["W-1"]


def test_packed_nationality_evidence_agrees_with_the_per_entry_rule():
    """The screener bounds candidates' scores with the nationality evidence of packed codes
    before it compares names; it must be the evidence the hit will get, or a candidate that
    could alert is dropped (or one that cannot is kept)."""
    from edge.screening.scoring import (
        nationality_adjustments,
        nationality_evidence,
        pack_country,
    )

    listed = [None, "JPN", "jpn", "KOR", "D", "GBR"]
    packed = np.array([pack_country(c) for c in listed], dtype=np.uint32)
    for own in (None, "", "JPN", "D", "USA"):
        want = [nationality_evidence(own, c)[0] for c in listed]
        assert nationality_adjustments(packed, own).tolist() == want, own


def _many_mohammeds(n: int = 80) -> list[dict]:
    """Listed MOHAMMEDs enough that MOHAMMED alone makes no one a candidate (RARE_SLOT)."""
    givens = ["OMAR", "ALI", "SAMI", "TAHA", "BILAL", "ADNAN", "AMJAD", "FAHD", "NIZAR", "JALAL"]
    return [{"id": f"M{i}", "names": [f"MOHAMMED, {givens[i % 10]} {givens[i // 10 % 10]}"],
             "birth_date": f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}", "category": "wanted"}
            for i in range(n)]  # fmt: skip


def test_a_truncated_variant_spelling_reaches_the_entry_that_spells_it_otherwise():
    """HOSS is HOSSEIN cut by the MRZ (MOHAMMAD ABDULRAHMAN AL-QURASHI HOSSEIN fills the
    field); the list spells the name HUSSEIN. The index's prefix keys hold only spellings the
    list uses, so the variant table's spellings are looked up by prefix too (the surname alone
    is too common to make candidates)."""
    from edge.screening.variants import prefix_variant_groups, variant_groups

    assert prefix_variant_groups("HOSS") & variant_groups("HUSSEIN")
    assert not prefix_variant_groups("HOSSEIN")  # a whole spelling is not its own truncation
    surname = "MOHAMMED ABDULRAHMAN AL-QURASHI"
    entries = [{**e, "names": [e["names"][0].replace("MOHAMMED", surname)]}
               for e in _many_mohammeds()]  # fmt: skip
    entries.append({"id": "H", "names": ["SALEH, HOSSAM"], "category": "wanted"})  # HOSS reaches it
    entries.append({"id": "W-1", "names": [f"{surname}, HUSSEIN SABER BAKR"],
                    "birth_date": "2003-06-14", "nationality": "PAK", "category": "wanted"})  # fmt: skip
    s = Screener.from_entries(entries)
    travelling = "MOHAMMAD ABDULRAHMAN AL-QURASHI"
    assert alerts(s, traveller(travelling, "HOSS", "2003-06-14", "PAK", "M")) == ["W-1"]


def test_english_long_i_and_a_leading_vowel_are_spelling_variants():
    """REEM / RIM (EE is English for a long I), ESSA / ISSA (alif written E or I), and so I is
    an initial of EMAD (IMAD)."""
    from edge.screening.similarity import token_similarity
    from edge.screening.text import skeleton

    assert skeleton("REEM") == skeleton("RIM") and skeleton("NAJEEB") == skeleton("NAJIB")
    assert token_similarity("ESSA", "ISSA") == (0.93, "≈")
    assert token_similarity("ESSA", "ISSA", True, False)[0] < 0.9  # not for romanised spellings
    assert token_similarity("I", "EMAD") == (0.82, "initial")  # the initial of IMAD
    assert token_similarity("I", "EMAD", True, False)[0] == 0.0
    s = Screener.from_entries([{"id": "W-1", "names": ["GHANEM, RIM ALI HAMZA"], "birth_date": "1974-06-22",
                                "nationality": "SAU", "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller("GHANEM", "REEM", "1974-06-20", "SAU", "F")) == ["W-1"]


def test_names_the_variant_table_knows_apart_are_not_vowel_variants():
    """HASSAN and HOSSEIN (حسن, حسين), KHALID and KHALIL, EMAN and AMIN share their
    consonants but are different names: the consonant key must not make them one."""
    from edge.screening.similarity import token_similarity

    for a, b in (("HOSSEIN", "HASSAN"), ("EMAN", "AMIN"), ("KHALIL", "KHALID"), ("SALAH", "SALEH")):
        assert token_similarity(a, b)[1] != "≈", (a, b)
    assert token_similarity("MAJED", "MAJID") == (0.93, "≈")  # not listed: vowels still vary
    s = Screener.from_entries([{"id": "W-1", "names": ["ALI, HASSAN MUSTAFA"], "birth_date": "1975-07-05",
                                "nationality": "SYR", "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller("ALI", "HOSSEIN", "1975-07-05", "SYR", "M")) == []


def test_a_typing_error_in_a_name_whose_vowels_vary():
    """JABITR: JABIR with a letter typed in, against a list that spells it JABER. Neither one
    edit of the spelling nor the same consonants; the consonants are one edit apart."""
    from edge.screening.similarity import token_similarity

    assert token_similarity("JABITR", "JABER")[0] >= 0.8
    assert token_similarity("MINSU", "MINJUN")[0] < 0.75  # different names stay apart
    s = Screener.from_entries([{"id": "W-1", "names": ["JAVED, MOHAMMED JABER"], "birth_date": "1972-04-12",
                                "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller("JAVED", "MOHAMED JABITR", "1972-04-12", "SYR", "M")) == ["W-1"]


def test_swapped_names_match_the_family_name_not_its_twin_fathers_name():
    """AL-AHMED, ZAINAB AHMED: the family name and the father's name are one name. A passport
    with the names swapped (ZAINAB / AHMED) must match AHMED with the family name, or the
    entry's surname is left unmatched and the name counts as another person's."""
    from edge.screening.names import render_name
    from edge.screening.similarity import match_name

    rendering = render_name("AL-AHMED, ZAINAB AHMED")[0]
    assert match_name(("ZAINBA",), ("AHMED",), rendering).score >= 0.9
    assert match_name(("ZAINAB",), ("AHMED",), rendering).swapped


def test_a_hyphen_moved_by_a_typing_error():
    """E-LSAYED and ALD-OSARI (the hyphen of EL-SAYED, AL-DOSARI moved) are the names run
    together, prefix off: SAYED, DOSARI. JO HN is not JOHNNY cut short."""
    from edge.screening.names import render_name
    from edge.screening.similarity import match_name

    sayed = render_name("AL-SAYED, UMAR NAJEEB")[0]
    assert match_name(("E", "LSAYED"), ("UMAR", "NAJEEB"), sayed).score >= 0.95
    dosari = render_name("AL-DOSARI, YOUSSEF NADER")[0]
    assert match_name(("ALD", "OSARI"), ("YUSUF", "NADER"), dosari).score >= 0.95
    john = render_name("SMITH, JOHNNY")[0]
    assert match_name(("SMITH",), ("JO", "HN"), john).score < 0.9


def test_french_spellings_of_arabic_names():
    """DERWICHE is DARWISH and MONDHER is MUNTHER, spelled the French (Maghreb) way; found
    through the index too, where MONA alone is too common to make anyone a candidate. A CH
    that begins a name or follows a consonant is not SH (Korean CHUJIN is not SOJUN)."""
    from edge.screening.similarity import token_similarity

    assert token_similarity("DERWICHE", "DARWISH") == (0.93, "≈")
    assert token_similarity("MONDHER", "MUNTHER") == (0.93, "≈")
    assert token_similarity("CHUJIN", "SOJUN")[0] < 0.75
    assert token_similarity("QIANCHUI", "QUNSUI")[0] < 0.75
    entries = [{"id": f"M{i}", "names": [f"{f}, MONA"], "category": "wanted"}
               for i, f in enumerate(["HADDAD", "KHOURY", "NASSAR", "HAMDAN", "AZIZ"] * 16)]  # fmt: skip
    entries.append({"id": "W-1", "names": ["DARWISH, MONA IBRAHIM"], "birth_date": "1956-10-25",
                    "category": "person_of_interest"})  # fmt: skip
    s = Screener.from_entries(entries)
    assert alerts(s, traveller("DERWICHE", "MONA", "1956-10-25", "SYR", "F")) == ["W-1"]


def test_korean_chinese_and_japanese_names_have_no_middle_names():
    """MIN DOK (민덕) is not 조민's MIN with a middle name DOK added: a name the traveller has
    beyond a Korean, Chinese or Japanese entry's is another person's, while JOHN MICHAEL
    against JONES, JOHN is a middle name the list does not hold."""
    from edge.screening.names import render_name
    from edge.screening.similarity import match_name

    assert match_name(("JO",), ("MIN", "DOK"), render_name("조민", "KOR")[0]).score < 0.8
    assert match_name(("JONES",), ("JOHN", "MICHAEL"), render_name("JONES, JOHN")[0]).score >= 0.95
    s = Screener.from_entries([{"id": "W-1", "names": ["조민"], "birth_date": "1979-10-09",
                                "nationality": "KOR", "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller("JO", "MIN DOK", "1979-09-10", "KOR", "M")) == []


def test_a_lost_particle_letter_a_kunrei_initial_and_a_typing_error_after_a_glued_prefix():
    """E-MAHMOUD (the L of EL lost) is MAHMOUD with a stray letter, not a name that conflicts
    with the entry's MUSTAFA; Z is the initial of ZIRO, the Kunrei spelling of 次郎 (JIRO);
    ALNASSAN is ALHASSAN with one letter mistyped, not a name beginning with N."""
    from edge.screening.names import render_name
    from edge.screening.similarity import match_name

    mahmoud = render_name("AL-MAHMOUD, IMAN MUSTAFA")[0]
    assert match_name(("E", "MAHMOUD"), ("IMAN",), mahmoud).score >= 0.95
    assert match_name(("MIURA",), ("Z",), render_name("三浦 次郎", "JPN")[0]).score >= 0.9
    hassan = render_name("AL-HASSAN, ALI SAMIR")[0]
    assert match_name(("ALNASSAN",), ("ALI", "SAMIR"), hassan).score >= 0.9


def test_a_name_cut_to_its_initial_is_scored_among_many_namesakes():
    """KIM / M (the MRZ left the M of MIN): M reaches no entry through the index, and 60 listed
    KIM born one digit off the traveller's day could reach a higher score than the listed KIM
    MIN (year of birth only). The candidates whose names begin with M are scored first."""
    givens = [f"{a}{b}" for a in ("SEO", "JI", "HA", "DO", "JU", "SU") for b in "ABCDEFGHIK"]
    entries = [{"id": f"R{i}", "names": [f"KIM, {g}"], "birth_date": "1980-06-18",
                "nationality": "KOR", "category": "wanted"} for i, g in enumerate(givens)]  # fmt: skip
    entries.append({"id": "W-1", "names": ["KIM, MIN"], "birth_date": "1980", "nationality": "KOR",
                    "category": "wanted"})  # fmt: skip
    s = Screener.from_entries(entries)
    result = s.screen(traveller("KIM", "M", "1980-06-19", "KOR", "M"))
    assert result.candidates > MAX_SCORED and result.scored == MAX_SCORED
    assert "W-1" in [h.entry_id for h in result.alerts]


def test_the_first_given_name_is_the_persons_own():
    """Lists and passports leave out fathers' and middle names, not the person's own first
    given name: SMITH / ISLA RICHARD is not SMITH, RICHARD with ISLA added, and the namesakes
    of SAYED MUSTAFA ABDULLAH are not every SAYED ... ABDULLAH. A devotional first MUHAMMAD
    may go unsaid (MUHAMMAD NAWAZ, listed as NAWAZ)."""
    from edge.screening.names import render_name
    from edge.screening.similarity import match_name

    richard = render_name("SMITH, RICHARD")[0]
    assert match_name(("SMITH",), ("ISLA", "RICHARD"), richard).score < 0.8
    assert match_name(("SMITH",), ("RICHARD", "ISLA"), richard).score >= 0.9  # a middle name
    nawaz = render_name("SHARIF, NAWAZ")[0]
    assert match_name(("SHARIF",), ("MUHAMMAD", "NAWAZ"), nawaz).score >= 0.9
    others = ["OMAR", "ALI", "SAMI", "TAHA", "BILAL", "ADNAN", "AMJAD", "FAHD", "NIZAR", "JALAL"]
    entries = [{"id": f"S{i}", "names": [f"AL-SAYED, {g} ABDULLAH"], "nationality": "JOR",
                "birth_date": f"19{50 + i}-01-01", "category": "wanted"}
               for i, g in enumerate(others * 3)]  # fmt: skip
    entries.append({"id": "W-1", "names": ["AL-SAYED, MUSTAFA ABDULLAH"], "nationality": "JOR",
                    "birth_date": "1942-03-14", "category": "wanted"})  # fmt: skip
    s = Screener.from_entries(entries)
    assert s._namesakes(["SAYED"], ["MUSTAFA", "ABDULLAH"], "JOR") == 1
    assert alerts(s, traveller("AL-SAYED", "MUSTAFA ABDULLAH", "1943-03-14", "JOR", "M")) == ["W-1"]


def test_the_mrz_cuts_only_a_name_that_fills_its_field_and_only_at_its_end():
    """A passport's MRZ cuts a name only when it does not fit the field, the last names first,
    down to initials: ROH MI (7 characters) is not ROH MYEONG cut short, nor is a cut name
    followed by a whole one, while IBR K is IBRAHIM KHALID cut; the labelled set cuts names
    the same way (`mrz_name_field`, through the MRZ writer's own rule)."""
    from edge.screening.evalset.variation import mrz_name_field
    from edge.screening.names import render_name
    from edge.screening.similarity import match_name

    entry = render_name(f"{LONG}, MAXIMILIAN JOHANN")[0]
    assert match_name((LONG,), ("MAXIMILIAN", "JO"), entry).score >= 0.95
    assert match_name((LONG,), ("MA", "JOHANN"), entry).score < 0.8
    assert match_name(("ROH",), ("MI",), render_name("ROH, MYEONG")[0]).score < 0.8
    assert mrz_name_field("ROH", ["MYEONG"]) == ("ROH", ["MYEONG"], False)
    assert mrz_name_field(LONG, ["MAXIMILIAN"]) == (LONG, ["MA"], True)
    given = ["MOHAMMED", "ABDULLAH", "IBRAHIM", "KHALID"]
    cut = ("AL ABDULRAHMAN", ["MOHAMMED", "ABDULLAH", "IBR", "K"], True)
    assert mrz_name_field("AL-ABDULRAHMAN", given) == cut
    listed = render_name(f"AL-ABDULRAHMAN, {' '.join(given)}")[0]
    assert match_name(("ABDULRAHMAN",), tuple(cut[1]), listed).score >= 0.9  # AL: a particle


def test_a_latin_name_listed_beside_its_own_script_is_matched_as_a_romanisation():
    """탁은서 listed with its passport spelling TAK, UNSO: UNSO is a romanisation, whose
    spellings come from Hangul, so Arabic-style vowel variation does not make YUNSO of it (as it
    does for a Latin name listed alone)."""
    from edge.screening.names import render_name, romanised
    from edge.screening.similarity import match_name

    latin = render_name("TAK, UNSO")[0]
    assert match_name(("TAK",), ("YUNSO",), latin).score >= 0.95
    assert match_name(("TAK",), ("YUNSO",), romanised(latin)).score < 0.8
    entries = [{"id": "W-1", "names": ["탁은서", "TAK, UNSO"], "birth_date": "1950-05-17",
                "nationality": "KOR", "category": "wanted"}]  # fmt: skip
    s = Screener.from_entries(entries)
    assert alerts(s, traveller("TAK", "YUNSO", "1950-05-17", "KOR", "F")) == []
    assert alerts(s, traveller("TAK", "UNSO", "1950-05-17", "KOR", "F")) == ["W-1"]


def test_short_names_one_letter_apart_and_two_edits_at_the_first_letter_are_other_names():
    """YU and YE differ in half their letters; SEONGHYEON is not YONGHYEON (two edits, the
    first letter among them) — while IHSAHM is still HISHAM with letters swapped."""
    from edge.screening.similarity import token_similarity

    assert token_similarity("YU", "YE")[0] < 0.75
    assert token_similarity("YONGHYEON", "SEONGHYEON", True, False)[0] < 0.75
    assert token_similarity("IHSHAM", "HISHAM")[0] >= 0.75


def test_the_readers_full_name_field_decides_whether_the_mrz_cut_the_name():
    """The MRZ parser knows when the name field is full (`names_truncated`); the booth passes
    it on, and the screener trusts it over the name's length: a full field allows the cut, a
    field with room to spare (a long name as typed elsewhere) does not."""
    from devices.document_reader import DocumentReading
    from devices.passport_reader import _fields
    from edge.inspection import traveller_of
    from edge.mrz.build import build_td3
    from edge.mrz.parse import parse_mrz
    from edge.screening.records import ReferenceDataError, check_traveller

    lines = build_td3(document_number="TR1234567", primary_identifier=LONG,
                      secondary_identifier="MAXIMILIAN", nationality="AUT",
                      birth_date=date(1977, 7, 7), sex="M", expiry_date=date(2030, 1, 1))  # fmt: skip

    class Read:  # what the OCR reader hands the document reader
        fields = parse_mrz(lines, today=date(2026, 1, 1)).fields()

    reading = DocumentReading(**_fields(Read))
    assert reading.given_names == "MA" and reading.names_truncated
    s = Screener.from_entries([{"id": "W-1", "names": [f"{LONG}, MAXIMILIAN"],
                                "birth_date": "1977-07-07", "category": "wanted"},
                               {"id": "W-2", "names": ["ROH, MYEONG"], "birth_date": "1980-02-03",
                                "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller_of(reading)) == ["W-1"]
    assert alerts(s, {**traveller_of(reading), "names_truncated": False}) == []
    roh = traveller("ROH", "MI", "1980-02-03")
    assert alerts(s, roh) == [] and alerts(s, {**roh, "names_truncated": True}) == ["W-2"]
    with pytest.raises(ReferenceDataError, match="names_truncated"):
        check_traveller({**roh, "names_truncated": "yes"})


def test_a_particle_with_its_l_misread_is_still_a_particle():
    """AI-AHMED and EI-HASSAN are AL-AHMED and EL-HASSAN with the L read as an I (l and I look
    alike in many typefaces): a particle before a name, not a name of its own; AI alone (愛)
    stays a name."""
    from edge.screening.text import name_tokens

    assert name_tokens("AI-AHMED") == ["AHMED"] and name_tokens("EI HASSAN") == ["HASSAN"]
    assert name_tokens("AI") == ["AI"] and name_tokens("SATO AI") == ["SATO", "AI"]
    s = Screener.from_entries([{"id": "W-1", "names": ["AL-AHMED, MARWAN FAISAL"],
                                "birth_date": "1947-02-23", "category": "wanted"}])  # fmt: skip
    assert alerts(s, traveller("AI-AHMED", "MARWAN", "1947-02-23")) == ["W-1"]
