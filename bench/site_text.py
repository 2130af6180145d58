"""Bilingual (Traditional Chinese + English) text for the synthetic clinic site.

Sentences are pre-built once per seed from a small medical vocabulary; a page
then draws its paragraphs from the pool with its own seeded RNG. The pools are
large enough that two pages share only a few sentences, so the site has no
accidental near-duplicate pages.
"""

from __future__ import annotations

import random

CONDITIONS = (
    ("rosacea", "酒糟肌", "Rosacea"),
    ("acne", "青春痘", "Acne"),
    ("acne-scars", "痘疤", "Acne scars"),
    ("melasma", "肝斑", "Melasma"),
    ("eczema", "濕疹", "Eczema"),
    ("psoriasis", "乾癬", "Psoriasis"),
    ("hair-loss", "落髮", "Hair loss"),
    ("urticaria", "蕁麻疹", "Urticaria"),
    ("seborrheic-dermatitis", "脂漏性皮膚炎", "Seborrheic dermatitis"),
    ("vitiligo", "白斑", "Vitiligo"),
    ("warts", "病毒疣", "Warts"),
    ("sun-spots", "曬斑", "Sun spots"),
    ("sensitive-skin", "敏感肌", "Sensitive skin"),
    ("hyperhidrosis", "多汗症", "Hyperhidrosis"),
)
TREATMENTS = (
    ("laser-toning", "淨膚雷射", "Laser toning"),
    ("microneedling", "微針", "Microneedling"),
    ("chemical-peel", "果酸換膚", "Chemical peel"),
    ("prp", "自體血小板", "PRP therapy"),
    ("pico-laser", "皮秒雷射", "Picosecond laser"),
    ("ipl", "脈衝光", "Intense pulsed light"),
    ("botox", "肉毒桿菌", "Botulinum toxin"),
    ("hyaluronic-acid", "玻尿酸", "Hyaluronic acid filler"),
    ("rf-microneedling", "電波微針", "RF microneedling"),
    ("phototherapy", "照光治療", "Phototherapy"),
    ("cryotherapy", "冷凍治療", "Cryotherapy"),
)
DOCTORS = (
    ("林偉辰醫師", "Dr. Lin Wei-Chen"),
    ("陳怡君醫師", "Dr. Chen Yi-Chun"),
    ("王思涵醫師", "Dr. Wang Szu-Han"),
    ("張家豪醫師", "Dr. Chang Chia-Hao"),
    ("黃雅婷醫師", "Dr. Huang Ya-Ting"),
)

_EN_SUBJECTS = (
    "Patients with {c}", "Our dermatologists", "Most first visits", "The treatment plan",
    "A gentle routine", "Daily sunscreen", "The clinic team", "Follow-up care",
    "Topical therapy", "Each session", "Skin barrier repair", "Recent studies",
    "Many adults", "Teenagers with {c}", "The doctor", "A patch test", "Home care",
)  # fmt: skip
_EN_VERBS = (
    "usually needs", "often responds to", "may combine", "should start with", "depends on",
    "is adjusted for", "can reduce", "rarely requires", "works best with", "is reviewed after",
    "helps to control", "aims to improve", "is followed by", "can be paired with",
)  # fmt: skip
_EN_OBJECTS = (
    "{t}", "a short course of {t}", "mild cleansers and moisturisers", "{n} sessions of {t}",
    "a review every {n} weeks", "lower doses of retinoids", "careful photoprotection",
    "an assessment of triggers", "a tailored skincare plan", "oral medication for {c}",
    "a combination of {t} and topical care", "gentle exfoliation", "a written care sheet",
)  # fmt: skip
_EN_TAILS = (
    "before any laser work", "in the humid Taipei summer", "when symptoms flare",
    "for sensitive skin types", "according to recent guidelines", "after the first month",
    "under the supervision of a physician", "to avoid post-inflammatory pigmentation",
    "so that recovery stays short", "in most of our patients", "during pregnancy",
    "if the barrier is damaged", "for lasting results", "at every follow-up visit",
)  # fmt: skip
_ZH_WORDS = (
    "皮膚", "保養", "療程", "醫師", "門診", "評估", "保濕", "防曬", "發炎", "色素", "修復",
    "屏障", "雷射", "藥物", "外用", "口服", "敏感", "泛紅", "搔癢", "疤痕", "毛孔", "油脂",
    "角質", "膠原蛋白", "術後", "恢復期", "副作用", "追蹤", "季節", "濕度", "飲食", "睡眠",
    "壓力", "荷爾蒙", "遺傳", "體質", "清潔", "溫和", "刺激", "過敏", "檢查", "診斷",
    "治療", "效果", "劑量", "療效", "改善", "預防", "復發", "建議", "個人化", "計畫",
)  # fmt: skip
# Common characters: random two-character "words" from them keep every page's
# three-character shingles its own, as real pages on different topics are.
# No 表: a random "下表" ("the table below") is a finding of empty-section.
_ZH_CHARS = (
    "的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學"
    "對可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面"
    "公同三已老從動兩長知民樣現分將外但身些與高意進把法此實回二理美點月明其種聲全工己話兒者向情部"
    "正名定女問力機給等幾很業最間新什打便位因重被走電四第門相次東政海口使教西再平真聽世氣信北少關"
    "並內加化由卻代軍產入先山五太水萬市眼體別處總才場師書比住員九笑性通目華報立馬命張活難神數件安"
    "原車白應路期叫死常提感金何更反合放做系計或司利受光王果親界及今京務製解各任至清物台象記邊共"
    "風戰乾接它許八特覺望直服毛林題建南度統色字請交愛讓認算論百吃義科怎元社術結六功指思非流每青管"
)
_EN_WORDS = (
    "skin", "care", "patients", "treatment", "laser", "session", "barrier", "redness", "dryness",
    "sunscreen", "moisturiser", "cleanser", "retinoid", "dermatologist", "clinic", "visit",
    "inflammation", "pigment", "scarring", "pores", "sebum", "collagen", "recovery", "dose",
    "symptoms", "triggers", "allergy", "diagnosis", "results", "weeks", "months", "daily",
    "gentle", "mild", "severe", "chronic", "acute", "topical", "oral", "therapy", "plan",
    "review", "follow-up", "guidelines", "evidence", "study", "trial", "outcome", "risk",
    "benefit", "cost", "summer", "winter", "humidity", "stress", "sleep", "diet", "hormones",
    "genetics", "children", "adults", "teenagers", "pregnancy", "safety", "downtime", "peeling",
    "swelling", "itching", "burning", "texture", "tone", "spots", "lines", "volume", "hydration",
    "usually", "often", "rarely", "may", "can", "should", "will", "needs", "helps", "reduces",
    "improves", "protects", "repairs", "calms", "prevents", "controls", "combines", "requires",
    "after", "before", "during", "with", "without", "for", "the", "a", "and", "or", "but", "if",
    "when", "because", "most", "many", "some", "each", "every", "our", "your", "their", "this",
    "first", "second", "last", "short", "long", "lasting", "careful", "regular", "personal",
    "doctor", "nurse", "team", "appointment", "assessment", "consultation", "photograph",
    "record", "progress", "response", "energy", "wavelength", "depth", "needle", "peel", "acid",
    "serum", "cream", "gel", "tablet", "antibiotic", "antihistamine", "steroid", "vitamin",
    "zinc", "niacinamide", "ceramide", "hyaluronic", "azelaic", "salicylic", "glycolic",
    "lactic", "mandelic", "tranexamic", "hydroquinone", "isotretinoin", "minoxidil", "biologic",
)  # fmt: skip
_ZH_LINKERS = ("，", "，並且", "，因此", "；同時", "，但是", "，而且", "，所以", "，若")
_EN_HEADINGS = (
    "What causes {c}?", "How {t} works", "Who is a good candidate", "Before your visit",
    "Aftercare and recovery", "Risks and side effects", "Costs and sessions",
    "Daily skincare tips", "When to see a doctor", "What the research says",
    "How we plan treatment", "Living with {c}",
)  # fmt: skip
_ZH_HEADINGS = (
    "成因", "療程說明", "適合對象", "看診前準備", "術後照護", "風險與副作用", "費用與次數",
    "日常保養", "何時就醫", "研究證據", "治療規劃", "與疾病共處",
)  # fmt: skip
_QUESTIONS = (
    "How many sessions of {t} do I need?", "Does {t} hurt?", "Is {c} contagious?",
    "Can I wear makeup after {t}?", "How long does recovery take?", "Will {c} come back?",
    "Is {t} safe for sensitive skin?", "When will I see results?",
)  # fmt: skip


class TextPool:
    """Seeded pools of sentences, headings and questions for the pages."""

    def __init__(self, seed: int, size: int = 6000) -> None:
        rng = random.Random(f"text:{seed}")
        self.en = [self._en_sentence(rng) for _ in range(size)]
        self.zh = [self._zh_sentence(rng) for _ in range(size)]

    @staticmethod
    def _fill(template: str, rng: random.Random) -> str:
        return template.format(
            c=rng.choice(CONDITIONS)[2].lower(),
            t=rng.choice(TREATMENTS)[2].lower(),
            n=rng.randint(2, 12),
        )

    @staticmethod
    def _en_sentence(rng: random.Random) -> str:
        words = rng.choices(_EN_WORDS, k=rng.randint(9, 20))
        if len(words) > 12:
            words[rng.randint(4, 9)] += ","
        return " ".join(words).capitalize() + "."

    @staticmethod
    def _zh_sentence(rng: random.Random) -> str:
        clauses = []
        for _ in range(rng.randint(2, 4)):
            words = [
                rng.choice(_ZH_WORDS)
                if rng.random() < 0.3
                else "".join(rng.choices(_ZH_CHARS, k=2))
                for _ in range(rng.randint(3, 6))
            ]
            clauses.append("".join(words))
        text = clauses[0]
        for clause in clauses[1:]:
            text += rng.choice(_ZH_LINKERS) + clause
        return text + "。"

    def en_paragraph(self, rng: random.Random) -> str:
        """About 1 KB of English prose."""
        start = rng.randrange(len(self.en) - 12)
        return " ".join(self.en[start : start + 12])

    def zh_paragraph(self, rng: random.Random) -> str:
        """About 1 KB of Traditional Chinese prose."""
        start = rng.randrange(len(self.zh) - 12)
        return "".join(self.zh[start : start + 12])

    def heading(self, rng: random.Random) -> tuple[str, str]:
        """A (Chinese, English) section heading."""
        return rng.choice(_ZH_HEADINGS), self._fill(rng.choice(_EN_HEADINGS), rng)

    def description(self, zh: str, en: str, rng: random.Random) -> str:
        """A meta description of 70-160 characters."""
        text = f"{zh}：{rng.choice(self.zh)[:16]}。{en}: {rng.choice(self.en)}"
        width = len(text) + sum(1 for char in text if char > "\u2e80")
        return text if width <= 158 else text[: 155 - width + len(text)].rstrip() + "…"

    def faqs(self, en: str, rng: random.Random) -> list[tuple[str, str]]:
        """Four question/answer pairs for a FAQ page."""
        questions = rng.sample(_QUESTIONS, 4)
        return [
            (self._fill(q, rng), f"{rng.choice(self.zh)} {rng.choice(self.en)}") for q in questions
        ]
