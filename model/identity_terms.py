"""Words that name a group of people, per language: what a comment about a group mentions.

A news site covering Syria gets comments naming a religion, a sect, a people, a nationality,
the displaced or a gender in nearly every thread, and the abuse datasets' topic words carry
their base rates (the Aljazeera comments are four in five abusive, and name groups often): a
model can learn that naming a group is abuse. This list is what the training and the
evaluation use to see that bias: training adds neutral rows that name groups, and the
evaluation measures, per term, the unintended-bias AUCs of Borkan et al. (2019) and the share
of neutral mentions held (`hakam.training.bias`).

Each term has a group name to write sentences with (its plural, definite in Arabic) and the
forms a comment spells it with. Forms are matched on the normaliser's words (alef forms,
ta marbuta and hamza carriers are folded the same way on both sides), and an Arabic word also
matches with the clitics و ف ب ل ك and the article ال in front (والأكراد, للاجئين).
Never imported by the scorer's hot path: the service does not need it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import normalize


@dataclass(frozen=True)
class Term:
    """One group: `key` is language:name (e.g. "ar:kurds"), `group` the phrase sentences use."""

    key: str
    language: str
    category: str
    group: str
    forms: tuple[str, ...]


# language -> category -> name -> (group phrase, other forms)
_TERMS: dict[str, dict[str, dict[str, tuple[str, tuple[str, ...]]]]] = {
    "ar": {
        "religion": {
            "muslims": ("المسلمين", ("مسلم", "مسلمة", "مسلمون", "مسلمين", "مسلمات", "الإسلام",
                                      "إسلام", "اسلامي", "إسلامية")),
            "christians": ("المسيحيين", ("مسيحي", "مسيحية", "مسيحيون", "مسيحيين", "مسيحيات",
                                          "المسيحية", "نصارى", "نصراني", "النصارى")),
            "jews": ("اليهود", ("يهودي", "يهودية", "يهود", "اليهودية")),
            "atheists": ("الملحدين", ("ملحد", "ملحدة", "ملحدون", "ملحدين")),
        },
        "sect": {
            # not سنة alone: it is also "year"
            "sunnis": ("أهل السنة", ("سني", "سنية", "السنيين", "سنيون", "سنيين")),
            "shia": ("الشيعة", ("شيعي", "شيعية", "شيعة", "الشيعيين", "شيعيين")),
            "alawites": ("العلويين", ("علوي", "علوية", "علويون", "علويين")),
            "druze": ("الدروز", ("درزي", "درزية", "دروز")),
            "ismailis": ("الإسماعيليين", ("إسماعيلي", "إسماعيلية", "إسماعيليين", "اسماعيليون")),
            "yazidis": ("الإيزيديين", ("إيزيدي", "إيزيدية", "إيزيديين", "إيزيديون", "يزيدي",
                                        "يزيديين", "الايزيدية")),
            "copts": ("الأقباط", ("قبطي", "قبطية", "أقباط")),
            "maronites": ("الموارنة", ("ماروني", "مارونية", "موارنة")),
        },
        "ethnicity": {
            "kurds": ("الأكراد", ("كردي", "كردية", "أكراد", "الكرد", "كرد", "كورد", "كوردي")),
            "arabs": ("العرب", ("عربي", "عربية", "عرب", "أعراب")),
            "turkmen": ("التركمان", ("تركماني", "تركمانية", "تركمان")),
            "assyrians": ("الآشوريين", ("آشوري", "آشورية", "آشوريين", "آشوريون", "أشوريين")),
            "syriacs": ("السريان", ("سرياني", "سريانية", "سريان")),
            "armenians": ("الأرمن", ("أرمني", "أرمنية", "أرمن")),
            "circassians": ("الشركس", ("شركسي", "شركسية", "شركس")),
            "amazigh": ("الأمازيغ", ("أمازيغي", "أمازيغية", "أمازيغ", "بربر", "البربر")),
            "bedouin": ("البدو", ("بدوي", "بدوية", "بدو")),
            "africans": ("الأفارقة", ("أفريقي", "أفريقية", "أفارقة", "افريقي")),
        },
        "nationality": {
            "syrians": ("السوريين", ("سوري", "سورية", "سوريون", "سوريين")),
            "palestinians": ("الفلسطينيين", ("فلسطيني", "فلسطينية", "فلسطينيون", "فلسطينيين")),
            "lebanese": ("اللبنانيين", ("لبناني", "لبنانية", "لبنانيون", "لبنانيين")),
            "iraqis": ("العراقيين", ("عراقي", "عراقية", "عراقيون", "عراقيين")),
            "egyptians": ("المصريين", ("مصري", "مصرية", "مصريون", "مصريين")),
            "jordanians": ("الأردنيين", ("أردني", "أردنية", "أردنيون", "أردنيين")),
            "saudis": ("السعوديين", ("سعودي", "سعودية", "سعوديون", "سعوديين")),
            "yemenis": ("اليمنيين", ("يمني", "يمنية", "يمنيون", "يمنيين")),
            "sudanese": ("السودانيين", ("سوداني", "سودانية", "سودانيون", "سودانيين")),
            "tunisians": ("التونسيين", ("تونسي", "تونسية", "تونسيون", "تونسيين", "توانسة")),
            "moroccans": ("المغاربة", ("مغربي", "مغربية", "مغاربة")),
            "algerians": ("الجزائريين", ("جزائري", "جزائرية", "جزائريون", "جزائريين")),
            "libyans": ("الليبيين", ("ليبي", "ليبية", "ليبيون", "ليبيين")),
            "iranians": ("الإيرانيين", ("إيراني", "إيرانية", "إيرانيون", "إيرانيين", "فرس",
                                        "الفرس")),
            "turks": ("الأتراك", ("تركي", "تركية", "أتراك")),
            "afghans": ("الأفغان", ("أفغاني", "أفغانية", "أفغان")),
        },
        "displaced": {
            "refugees": ("اللاجئين", ("لاجئ", "لاجئة", "لاجئون", "لاجئين", "لاجئات")),
            "displaced": ("النازحين", ("نازح", "نازحة", "نازحون", "نازحين", "نازحات", "مهجر",
                                       "مهجرين", "مهجرون", "المهجرين")),
            "migrants": ("المهاجرين", ("مهاجر", "مهاجرة", "مهاجرون", "مهاجرين", "وافد",
                                        "وافدين", "الوافدين")),
        },
        "gender": {
            "women": ("النساء", ("امرأة", "المرأة", "نساء", "نسوان", "سيدات", "فتاة", "فتيات",
                                 "بنات")),
            "men": ("الرجال", ("رجل", "رجال")),
            "gay people": ("المثليين", ("مثلي", "مثلية", "مثليون", "مثليين")),
        },
    },
    "en": {
        "religion": {
            "muslims": ("Muslims", ("muslim", "muslims", "islam", "islamic")),
            "christians": ("Christians", ("christian", "christians", "christianity")),
            "jews": ("Jews", ("jew", "jews", "jewish", "judaism")),
            "hindus": ("Hindus", ("hindu", "hindus")),
            "atheists": ("atheists", ("atheist", "atheists")),
            "catholics": ("Catholics", ("catholic", "catholics")),
        },
        "sect": {
            "sunnis": ("Sunnis", ("sunni", "sunnis")),
            "shia": ("Shia Muslims", ("shia", "shiite", "shiites", "shias")),
            "alawites": ("Alawites", ("alawite", "alawites")),
            "druze": ("the Druze", ("druze",)),
            "yazidis": ("Yazidis", ("yazidi", "yazidis", "yezidi")),
            "copts": ("Copts", ("copt", "copts", "coptic")),
        },
        "ethnicity": {
            "kurds": ("Kurds", ("kurd", "kurds", "kurdish")),
            "arabs": ("Arabs", ("arab", "arabs", "arabic")),
            "armenians": ("Armenians", ("armenian", "armenians")),
            "assyrians": ("Assyrians", ("assyrian", "assyrians")),
            "black people": ("Black people", ("black", "blacks")),
            "white people": ("white people", ("white", "whites")),
            "asians": ("Asians", ("asian", "asians")),
            "latinos": ("Latinos", ("latino", "latinos", "latina", "latinas", "hispanic",
                                    "hispanics")),
            "africans": ("Africans", ("african", "africans")),
        },
        "nationality": {
            "syrians": ("Syrians", ("syrian", "syrians")),
            "palestinians": ("Palestinians", ("palestinian", "palestinians")),
            "iraqis": ("Iraqis", ("iraqi", "iraqis")),
            "lebanese": ("the Lebanese", ("lebanese",)),
            "mexicans": ("Mexicans", ("mexican", "mexicans")),
            "americans": ("Americans", ("american", "americans")),
            "somalis": ("Somalis", ("somali", "somalis")),
            "afghans": ("Afghans", ("afghan", "afghans")),
            "israelis": ("Israelis", ("israeli", "israelis")),
        },
        "displaced": {
            "refugees": ("refugees", ("refugee", "refugees", "asylum")),
            "migrants": ("migrants", ("migrant", "migrants", "immigrant", "immigrants")),
            "displaced": ("displaced families", ("displaced",)),
        },
        "gender": {
            "women": ("women", ("woman", "women", "girl", "girls", "female", "females")),
            "men": ("men", ("man", "men", "male", "males")),
            "gay people": ("gay people", ("gay", "gays", "lesbian", "lesbians")),
            "trans people": ("trans people", ("trans", "transgender")),
        },
    },
}

_CONJUNCTIONS = ("و", "ف")
_PREFIXES = ("بال", "كال", "لل", "ال", "ب", "ل", "ك")
_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    return normalize(text).text


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    listed = []
    for language, categories in _TERMS.items():
        for category, names in categories.items():
            for name, (group, forms) in names.items():
                # the group phrase is a form too (two words: matched as a pair, أهل السنة)
                folded = tuple(dict.fromkeys(_fold(form) for form in (group, *forms)))
                listed.append(Term(f"{language}:{name}", language, category, group, folded))
    return tuple(listed)


@lru_cache(maxsize=1)
def _form_index() -> dict[str, str]:
    """Folded form -> term key (a form two terms share would be ambiguous: none is)."""
    index: dict[str, str] = {}
    for term in terms():
        for form in term.forms:
            index.setdefault(form, term.key)
    return index


def mentioned(text: str, *, normalized: bool = False) -> set[str]:
    """The keys of the terms `text` names (`normalized`: the text is a normal form already)."""
    index = _form_index()
    found = set()
    words = _WORD.findall(text if normalized else _fold(text))
    for first, second in zip(words, words[1:], strict=False):
        key = index.get(f"{first} {second}")
        if key:
            found.add(key)
    for word in words:
        key = index.get(word)
        if key is None and not word.isascii():
            key = _with_clitics(word, index)
        if key:
            found.add(key)
    return found


def _with_clitics(word: str, index: dict[str, str]) -> str | None:
    """The term an Arabic word names once a conjunction (و ف) and then a preposition or the
    article are taken off its front (للاجئين is ل + اللاجئين with the article's alef dropped)."""
    stems = [word] + [word[1:] for c in _CONJUNCTIONS if word.startswith(c)]
    for stem in stems:
        for prefix in _PREFIXES:
            rest = stem[len(prefix):]
            if stem.startswith(prefix) and len(rest) > 2:
                key = index.get(rest) or index.get("ال" + rest)
                if key:
                    return key
        if stem is not word and stem in index:
            return index[stem]
    return None


def by_key() -> dict[str, Term]:
    return {term.key: term for term in terms()}
