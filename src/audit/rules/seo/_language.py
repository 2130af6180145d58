"""Shared helpers of the SEO rules: language tags (BCP 47 / hreflang) and display length.

Private (leading underscore): not a rule module, never registered.

Language tags are checked against small tables (ISO 639-1 languages, ISO 15924
scripts, ISO 3166-1 alpha-2 regions and the UN M.49 regions BCP 47 allows),
case-insensitively, as browsers and search engines read them. ``hreflang`` is
stricter than ``<html lang>``: Google reads only ``language[-script][-region]``
with a two-letter language, or ``x-default``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --- data -------------------------------------------------------------------------------


def _codes(text: str) -> frozenset[str]:
    """The whitespace-separated codes of ``text``, lower-cased."""
    return frozenset(text.lower().split())


ISO_639_1 = _codes(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
    """
)
"""ISO 639-1 two-letter language codes."""

ISO_639_2_TO_1 = dict(
    pair.split(":")
    for pair in _codes(
        """
    aar:aa abk:ab afr:af aka:ak alb:sq amh:am ara:ar arg:an arm:hy asm:as ava:av ave:ae aym:ay
    aze:az bak:ba bam:bm baq:eu bel:be ben:bn bih:bh bis:bi bod:bo bos:bs bre:br bul:bg bur:my
    cat:ca ces:cs cha:ch che:ce chi:zh chu:cu chv:cv cor:kw cos:co cre:cr cym:cy cze:cs dan:da
    deu:de div:dv dut:nl dzo:dz ell:el eng:en epo:eo est:et eus:eu ewe:ee fao:fo fas:fa fij:fj
    fin:fi fra:fr fre:fr fry:fy ful:ff geo:ka ger:de gla:gd gle:ga glg:gl glv:gv gre:el grn:gn
    guj:gu hat:ht hau:ha heb:he her:hz hin:hi hmo:ho hrv:hr hun:hu hye:hy ibo:ig ice:is ido:io
    iii:ii iku:iu ile:ie ina:ia ind:id ipk:ik isl:is ita:it jav:jv jpn:ja kal:kl kan:kn kas:ks
    kat:ka kau:kr kaz:kk khm:km kik:ki kin:rw kir:ky kom:kv kon:kg kor:ko kua:kj kur:ku lao:lo
    lat:la lav:lv lim:li lin:ln lit:lt ltz:lb lub:lu lug:lg mac:mk mah:mh mal:ml mao:mi mar:mr
    may:ms mkd:mk mlg:mg mlt:mt mon:mn mri:mi msa:ms mya:my nau:na nav:nv nbl:nr nde:nd ndo:ng
    nep:ne nld:nl nno:nn nob:nb nor:no nya:ny oci:oc oji:oj ori:or orm:om oss:os pan:pa per:fa
    pli:pi pol:pl por:pt pus:ps que:qu roh:rm ron:ro rum:ro run:rn rus:ru sag:sg san:sa sin:si
    slk:sk slo:sk slv:sl sme:se smo:sm sna:sn snd:sd som:so sot:st spa:es sqi:sq srd:sc srp:sr
    ssw:ss sun:su swa:sw swe:sv tah:ty tam:ta tat:tt tel:te tgk:tg tgl:tl tha:th tib:bo tir:ti
    ton:to tsn:tn tso:ts tuk:tk tur:tr twi:tw uig:ug ukr:uk urd:ur uzb:uz ven:ve vie:vi vol:vo
    wel:cy wln:wa wol:wo xho:xh yid:yi yor:yo zha:za zho:zh zul:zu
    """
    )
)
"""ISO 639-2 three-letter codes of languages that have a two-letter code (BCP 47 wants that)."""

LANGUAGE_MISTAKES = {
    # Country codes and retired codes that people write where a language code belongs.
    "jp": "ja",
    "cn": "zh",
    "gr": "el",
    "dk": "da",
    "cz": "cs",
    "ua": "uk",
    "vn": "vi",
    "sp": "es",
    "us": "en",
    "gb": "en",
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
}
"""Frequent wrong language subtags and the code meant (only codes not in ISO 639-1)."""

ISO_15924 = _codes(
    """
    Adlm Afak Aghb Ahom Arab Aran Armi Armn Avst Bali Bamu Bass Batk Beng Bhks Blis Bopo Brah
    Brai Bugi Buhd Cakm Cans Cari Cham Cher Chrs Cirt Copt Cpmn Cprt Cyrl Cyrs Deva Diak Dogr
    Dsrt Dupl Egyd Egyh Egyp Elba Elym Ethi Geok Geor Glag Gong Gonm Goth Gran Grek Gujr Guru
    Hanb Hang Hani Hano Hans Hant Hatr Hebr Hira Hluw Hmng Hmnp Hrkt Hung Inds Ital Jamo Java
    Jpan Jurc Kali Kana Kawi Khar Khmr Khoj Kitl Kits Knda Kore Kpel Kthi Lana Laoo Latf Latg
    Latn Leke Lepc Limb Lina Linb Lisu Loma Lyci Lydi Mahj Maka Mand Mani Marc Maya Medf Mend
    Merc Mero Mlym Modi Mong Moon Mroo Mtei Mult Mymr Nagm Nand Narb Nbat Newa Nkdb Nkgb Nkoo
    Nshu Ogam Olck Orkh Orya Osge Osma Ougr Palm Pauc Perm Phag Phli Phlp Phlv Phnx Piqd Plrd
    Prti Rjng Rohg Roro Runr Samr Sara Sarb Saur Sgnw Shaw Shrd Sidd Sind Sinh Sogd Sogo Sora
    Soyo Sund Sylo Syrc Syre Syrj Syrn Tagb Takr Tale Talu Taml Tang Tavt Telu Teng Tfng Tglg
    Thaa Thai Tibt Tirh Tnsa Toto Ugar Vaii Vith Visp Wara Wcho Wole Xpeo Xsux Yezi Yiii Zanb
    Zinh Zmth Zsye Zsym Zxxx Zyyy Zzzz
    """
)
"""ISO 15924 four-letter script codes, lower-cased."""

ISO_3166_1 = _codes(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """
)
"""ISO 3166-1 alpha-2 country codes, lower-cased."""

BCP47_EXTRA_REGIONS = frozenset({"ac", "cp", "dg", "ea", "eu", "ez", "ic", "ta", "un"})
"""Region subtags BCP 47 registers beyond ISO 3166-1 (valid in ``lang``, not in hreflang)."""

UN_M49_REGIONS = _codes(
    """
    001 002 003 005 009 011 013 014 015 017 018 019 021 029 030 034 035 039 053 054 057 061
    142 143 145 150 151 154 155 202 419
    """
)
"""The UN M.49 area codes BCP 47 accepts as regions (``es-419``: Latin American Spanish)."""

REGION_MISTAKES = {"uk": "GB"}
"""Frequent wrong region subtags and the ISO 3166-1 code meant."""

LEGACY_TAGS = {"zh-cht": "zh-Hant", "zh-chs": "zh-Hans"}
"""Whole tags from old software and their BCP 47 form."""

# --- language tags ----------------------------------------------------------------------

X_DEFAULT = "x-default"
_ALPHA = re.compile(r"[a-z]+")
_VARIANT = re.compile(r"[a-z0-9]{5,8}|[0-9][a-z0-9]{3}")
_EXTENSION_OR_PRIVATE = re.compile(r"(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class TagProblem:
    """Why a language tag is wrong, and the corrected tag when one can be guessed."""

    reason: str
    suggestion: str | None = None


def check_language_tag(value: str, *, hreflang: bool) -> TagProblem | None:
    """Return what is wrong with a language tag, or None when it is valid.

    Args:
        value: the attribute value, e.g. ``zh-Hant-TW``.
        hreflang: apply Google's hreflang subset (two-letter language, no variants,
            ``x-default`` allowed) instead of full BCP 47 (``<html lang>``).
    """
    tag = value.strip()
    lower = tag.lower()
    if not tag:
        return TagProblem("it is empty")
    if hreflang and lower == X_DEFAULT:
        return None
    if lower in LEGACY_TAGS:
        fixed = LEGACY_TAGS[lower]
        return TagProblem(f'"{tag}" is an old Windows code, not a BCP 47 tag', fixed)
    if _SPACES.search(tag):
        return TagProblem("it contains spaces", _suggest(_SPACES.sub("-", tag), hreflang))
    if "_" in tag:
        return TagProblem(
            'it uses "_" where language tags use "-"', _suggest(tag.replace("_", "-"), hreflang)
        )
    subtags = lower.split("-")
    if "" in subtags:
        return TagProblem(
            'it has an empty part (a doubled, leading or trailing "-")',
            _suggest("-".join(part for part in tag.split("-") if part), hreflang),
        )
    problem = _check_language(subtags[0], tag, hreflang)
    if problem is not None:
        return problem
    index = 1
    if index < len(subtags) and len(subtags[index]) == 4 and _ALPHA.fullmatch(subtags[index]):
        if subtags[index] not in ISO_15924:
            return TagProblem(f'"{tag.split("-")[index]}" is not an ISO 15924 script code')
        index += 1
    if index < len(subtags) and _is_region_shaped(subtags[index]):
        problem = _check_region(tag, subtags, index, hreflang)
        if problem is not None:
            return problem
        index += 1
    if index == len(subtags):
        return None
    if hreflang:
        return TagProblem(
            f'"{"-".join(tag.split("-")[index:])}" is not allowed: hreflang takes only '
            "a language, an optional script and an optional region",
            _format(subtags[:index]),
        )
    while index < len(subtags) and _VARIANT.fullmatch(subtags[index]):
        index += 1
    rest = "-" + "-".join(subtags[index:])
    if index < len(subtags) and not _EXTENSION_OR_PRIVATE.fullmatch(rest):
        return TagProblem(f'"{tag.split("-")[index]}" is not a valid script, region or variant')
    return None


def _check_language(language: str, tag: str, hreflang: bool) -> TagProblem | None:
    original = tag.split("-")[0]
    if not _ALPHA.fullmatch(language) or not 2 <= len(language) <= 3:
        return TagProblem(f'"{original}" is not a language code')
    if len(language) == 2:
        if language in ISO_639_1:
            return None
        meant = LANGUAGE_MISTAKES.get(language)
        if meant:
            return TagProblem(
                f'"{original}" is not an ISO 639-1 language code',
                _suggest(_replace(tag, 0, meant), hreflang),
            )
        return TagProblem(f'"{original}" is not an ISO 639-1 language code')
    two_letter = ISO_639_2_TO_1.get(language)
    if two_letter:
        return TagProblem(
            f'"{original}" has a two-letter code, which must be used instead',
            _suggest(_replace(tag, 0, two_letter), hreflang),
        )
    if hreflang:
        return TagProblem(f'hreflang needs a two-letter ISO 639-1 language code, not "{original}"')
    return None  # Another ISO 639-3 language (yue, fil, haw, …): too many to list here.


def _is_region_shaped(subtag: str) -> bool:
    return (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit())


def _check_region(tag: str, subtags: list[str], index: int, hreflang: bool) -> TagProblem | None:
    region = subtags[index]
    if region in ISO_3166_1 or region in UN_M49_REGIONS:
        return None
    if not hreflang and region in BCP47_EXTRA_REGIONS:
        return None
    original = tag.split("-")[index]
    meant = REGION_MISTAKES.get(region)
    return TagProblem(
        f'"{original}" is not an ISO 3166-1 region code',
        _suggest(_replace(tag, index, meant), hreflang) if meant else None,
    )


def _replace(tag: str, index: int, subtag: str) -> str:
    subtags = tag.lower().split("-")
    subtags[index] = subtag.lower()
    return _format(subtags)


def _format(subtags: list[str]) -> str:
    """Conventional case: ``zh-Hant-TW``."""
    out = [subtags[0]]
    for subtag in subtags[1:]:
        if len(subtag) == 4 and subtag.isalpha():
            out.append(subtag.title())
        elif len(subtag) == 2:
            out.append(subtag.upper())
        else:
            out.append(subtag)
    return "-".join(out)


def _suggest(tag: str, hreflang: bool) -> str | None:
    """The repaired tag when it is valid or itself has a suggestion, else None."""
    if not tag:
        return None
    problem = check_language_tag(tag, hreflang=hreflang)
    if problem is None:
        return _format(tag.lower().split("-"))
    return problem.suggestion


# --- display length ---------------------------------------------------------------------

_WIDE = frozenset({"W", "F"})


def display_length(text: str, wide_weight: float) -> tuple[float, int]:
    """The length of ``text`` with wide characters weighted, and how many wide ones it has.

    Wide characters are those Unicode marks East Asian Wide or Fullwidth: Chinese,
    Japanese and Korean characters, full-width punctuation (the Chinese comma, full stop and colon),
    and emoji. Search results cut titles by pixel width, and these take about
    twice the width of a Latin letter.
    """
    if text.isascii():
        return float(len(text)), 0
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in _WIDE)
    return len(text) - wide + wide * wide_weight, wide


def format_number(value: float) -> str:
    """``56`` for 56.0, ``56.5`` otherwise."""
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


def describe_length(length: float, wide: int, chars: int, weight: float, bound: str) -> str:
    """``74 characters long (limit 60)``, with the weighting spelt out when it applied."""
    if not wide or weight == 1:
        return f"{chars} characters long ({bound})"
    return (
        f"{format_number(length)} characters long by display width ({chars} characters; "
        f"Chinese, Japanese and Korean ones count {format_number(weight)} each; {bound})"
    )
