"""Generate a deterministic synthetic clinic site of N pages for the benchmark.

Every page is built from string templates (no DOM work), so 100k pages take a
few minutes at most. Page ``i`` is defined by its index alone: its section,
path, title and links follow from ``i`` and the seed, so a link's anchor text is
the target's title without ever building the target first.

Link graph: page ``i`` links to its "children" ``18*i+1 .. 18*i+18`` (an 18-ary
tree rooted at the home page, so the click depth is at most 4 up to 111k
pages), to the section hubs (nav), to its neighbours and to seeded random pages.

Usage::

    python bench/generate_site.py DIR --pages 5000 --origin http://127.0.0.1:18765
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

from site_text import CONDITIONS, DOCTORS, TREATMENTS, TextPool

GENERATOR_VERSION = "4"
MARKER = ".bench-site.json"
FANOUT = 18
SITEMAP_LIMIT = 50_000
CLINIC = "港光皮膚科診所 Harbor Light Skin Clinic"
CLINIC_EN = "Harbor Light Skin Clinic"

# Index 0 is the home page; 1..9 are hubs; leaves cycle through LEAF_CYCLE.
HUBS = (
    ("articles", "衛教文章", "Articles"),
    ("conditions", "疾病介紹", "Conditions"),
    ("treatments", "治療項目", "Treatments"),
    ("faq", "常見問題", "FAQ"),
    ("news", "最新消息", "News"),
    ("doctors", "醫師團隊", "Our doctors"),
    ("locations", "門診資訊", "Locations"),
    ("about", "關於我們", "About us"),
    ("contact", "聯絡我們", "Contact"),
)
LEAF_CYCLE = ("articles",) * 10 + ("conditions",) * 3 + ("treatments",) * 3 + ("faq", "faq")
LEAF_CYCLE += ("news", "news")
HUB_LABELS = {slug: (zh, en) for slug, zh, en in HUBS}
# Deliberate defects, a handful per thousand pages (the auditor should find them).
NO_DESCRIPTION, DUPLICATE_TITLE, BROKEN_LINK, NO_ALT = (997, 13), (1009, 17), (499, 7), (743, 5)


def has_defect(index: int, defect: tuple[int, int]) -> bool:
    """True when page ``index`` carries this deliberate defect."""
    modulus, remainder = defect
    return index > 9 and index % modulus == remainder


@dataclass(frozen=True, slots=True)
class PageId:
    """What every page knows about any other page: index, section, path and names."""

    index: int
    section: str
    path: str
    zh: str
    en: str

    @property
    def title(self) -> str:
        """The page title (30-60 characters, unique per index)."""
        if self.index == 0:
            return f"{CLINIC}｜台北皮膚科"
        if self.index <= len(HUBS):
            return f"{self.zh} {self.en}｜港光皮膚科 Harbor Light"
        return f"{self.heading}｜港光皮膚科"

    @property
    def heading(self) -> str:
        """The h1 (unique per index)."""
        return f"{self.zh} {self.en}" + (f" #{self.index}" if self.index > len(HUBS) else "")


def page_id(index: int) -> PageId:
    """The identity of page ``index`` (pure function of the index)."""
    if index == 0:
        return PageId(0, "home", "/", "首頁", "Home")
    if index <= len(HUBS):
        slug, zh, en = HUBS[index - 1]
        return PageId(index, slug, f"/{slug}/", zh, en)
    section = LEAF_CYCLE[index % len(LEAF_CYCLE)]
    topics = TREATMENTS if section == "treatments" else CONDITIONS
    slug, zh, en = topics[index % len(topics)]
    kind = {"articles": "衛教", "conditions": "介紹", "treatments": "療程"}.get(section, "問答")
    if section == "news":
        kind = "消息"
    return PageId(index, section, f"/{section}/{slug}-{index}/", f"{zh}{kind}", en)


class SiteWriter:
    """Writes the pages, robots.txt and sitemaps of one site."""

    def __init__(self, root: Path, pages: int, origin: str, seed: int) -> None:
        self.root = root
        self.pages = pages
        self.origin = origin.rstrip("/")
        self.seed = seed
        self.text = TextPool(seed)

    # --- links -------------------------------------------------------------------------

    def links_of(self, index: int, rng: random.Random) -> list[int]:
        """The content links of a page: tree children, neighbours, then random pages."""
        first_child = FANOUT * index + 1
        targets = list(range(first_child, min(first_child + FANOUT, self.pages)))
        while len(targets) < FANOUT:
            targets.append(rng.randrange(self.pages))
        targets += [(index - 1) % self.pages, (index + 1) % self.pages]
        return [t for t in targets if t != index]

    def anchor(self, target: int) -> str:
        """An ``<a>`` to page ``target`` with its bilingual name as text."""
        page = page_id(target)
        return f'<a href="{page.path}">{escape(page.zh)} {escape(page.en)}</a>'

    # --- head --------------------------------------------------------------------------

    def head(self, page: PageId, title: str, description: str | None, jsonld: list[dict]) -> str:
        url = self.origin + page.path
        image = f"{self.origin}/images/{page.section}-{page.index % 50}.jpg"
        meta_description = (
            f'<meta name="description" content="{escape(description)}">\n' if description else ""
        )
        blocks = "".join(
            f'<script type="application/ld+json">\n{json.dumps(block, ensure_ascii=False)}\n'
            "</script>\n"
            for block in jsonld
        )
        desc = escape(description or title)
        return (
            '<!DOCTYPE html>\n<html lang="zh-Hant-TW">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n{meta_description}"
            f'<link rel="canonical" href="{url}">\n'
            f'<link rel="alternate" hreflang="zh-Hant-TW" href="{url}">\n'
            f'<link rel="alternate" hreflang="x-default" href="{url}">\n'
            f'<meta property="og:type" content="{"website" if page.index == 0 else "article"}">\n'
            f'<meta property="og:site_name" content="{CLINIC_EN}">\n'
            f'<meta property="og:title" content="{escape(title)}">\n'
            f'<meta property="og:description" content="{desc}">\n'
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="og:image" content="{image}">\n'
            '<meta property="og:locale" content="zh_TW">\n'
            '<meta name="twitter:card" content="summary_large_image">\n'
            f'<meta name="twitter:title" content="{escape(title)}">\n'
            f'<meta name="twitter:description" content="{desc}">\n'
            f'<meta name="twitter:image" content="{image}">\n'
            f'<link rel="stylesheet" href="/assets/site.css">\n{blocks}</head>\n'
        )

    # --- structured data ---------------------------------------------------------------

    def clinic(self) -> dict:
        return {
            "@type": "MedicalClinic",
            "@id": f"{self.origin}/#clinic",
            "name": CLINIC_EN,
            "alternateName": "港光皮膚科診所",
            "url": f"{self.origin}/",
            "logo": f"{self.origin}/images/logo.png",
            "image": f"{self.origin}/images/clinic.jpg",
            "telephone": "+886-2-2700-1234",
            "medicalSpecialty": "Dermatology",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "3F, No. 218, Sec. 1, Fuxing S. Rd.",
                "addressLocality": "Da'an District",
                "addressRegion": "Taipei City",
                "postalCode": "106",
                "addressCountry": "TW",
            },
        }

    def jsonld(self, page: PageId, title: str, description: str, faqs: list[tuple[str, str]]):
        url = self.origin + page.path
        published = date(2024, 1, 1) + timedelta(days=page.index % 700)
        doctor = DOCTORS[page.index % len(DOCTORS)]
        author = {
            "@type": "Person",
            "name": doctor[1],
            "alternateName": doctor[0],
            "url": f"{self.origin}/doctors/",
            "jobTitle": "Dermatologist",
        }
        crumbs = [(0, CLINIC_EN)] if page.index == 0 else [(0, "首頁 Home")]
        if page.index > len(HUBS):
            hub = 1 + [slug for slug, _, _ in HUBS].index(page.section)
            crumbs.append((hub, " ".join(HUB_LABELS[page.section])))
        if page.index:
            crumbs.append((page.index, f"{page.zh} {page.en}"))
        breadcrumb = {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position + 1,
                    "name": name,
                    "item": self.origin + page_id(target).path,
                }
                for position, (target, name) in enumerate(crumbs)
            ],
        }
        main: dict = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "@id": f"{url}#webpage",
            "url": url,
            "name": title,
            "description": description,
            "inLanguage": "zh-Hant-TW",
            "publisher": self.clinic(),
            "author": author,
            "datePublished": published.isoformat(),
            "dateModified": (published + timedelta(days=30)).isoformat(),
            "lastReviewed": (published + timedelta(days=30)).isoformat(),
            "reviewedBy": {**author, "name": DOCTORS[0][1], "alternateName": DOCTORS[0][0]},
        }
        if page.section in ("articles", "news", "conditions", "treatments"):
            topic = "MedicalProcedure" if page.section == "treatments" else "MedicalCondition"
            main["mainEntity"] = {
                "@type": "NewsArticle" if page.section == "news" else "Article",
                "headline": f"{page.zh} {page.en}"[:110],
                "image": [f"{self.origin}/images/{page.section}-{page.index % 50}.jpg"],
                "author": author,
                "datePublished": published.isoformat(),
                "dateModified": (published + timedelta(days=30)).isoformat(),
                "about": {"@type": topic, "name": page.en, "alternateName": page.zh},
                "publisher": {"@id": f"{self.origin}/#clinic"},
            }
        elif page.section == "faq" and faqs:
            main["@type"] = ["MedicalWebPage", "FAQPage"]
            main["mainEntity"] = [
                {
                    "@type": "Question",
                    "name": question,
                    "acceptedAnswer": {"@type": "Answer", "text": answer},
                }
                for question, answer in faqs
            ]
        return [main, breadcrumb]

    # --- body --------------------------------------------------------------------------

    def body(self, page: PageId, rng: random.Random, faqs: list[tuple[str, str]]) -> str:
        nav = "".join(f"<li>{self.anchor(hub)}</li>" for hub in range(0, len(HUBS) + 1))
        crumbs = ['<a href="/">首頁 Home</a>']
        if page.index > len(HUBS):
            hub = 1 + [slug for slug, _, _ in HUBS].index(page.section)
            crumbs.append(self.anchor(hub))
        links = self.links_of(page.index, rng)
        related = "".join(f"<li>{self.anchor(t)}</li>" for t in links[:-2])
        parts = [
            '<body>\n<header class="site-header">\n<a class="brand" href="/">'
            f'<img src="/images/logo.png" alt="{CLINIC_EN} logo" width="160" height="48"></a>\n'
            f'<nav aria-label="Main"><ul>{nav}</ul></nav>\n</header>\n'
            f'<nav class="breadcrumb" aria-label="Breadcrumb">{" › ".join(crumbs)}</nav>\n'
            f"<main>\n<article>\n<h1>{escape(page.heading)}</h1>\n"
        ]
        alt = "" if has_defect(page.index, NO_ALT) else f' alt="{escape(page.zh)} {page.en}"'
        parts.append(
            f'<figure><img src="/images/{page.section}-{page.index % 50}.jpg"{alt}'
            ' width="800" height="450" loading="lazy"></figure>\n'
        )
        inline = [rng.randrange(self.pages) for _ in range(4)]
        if has_defect(page.index, BROKEN_LINK):
            inline[0] = -1
        for section in range(7):
            heading_zh, heading_en = self.text.heading(rng)
            parts.append(f"<h2>{heading_zh} {heading_en}</h2>\n")
            for sub in range(2):
                if sub:
                    parts.append(f"<h3>{self.text.heading(rng)[1]}</h3>\n")
                parts.append(f'<p lang="zh-Hant">{self.text.zh_paragraph(rng)}</p>\n')
                parts.append(f'<p lang="en">{self.text.en_paragraph(rng)}</p>\n')
            if section < len(inline):
                target = inline[section]
                link = (
                    f'<a href="/articles/removed-{page.index}/">舊文章 Archived article</a>'
                    if target < 0
                    else self.anchor(target)
                )
                parts.append(f"<p>延伸閱讀 See also: {link}</p>\n")
        if faqs:
            parts.append("<section>\n<h2>常見問題 Frequently Asked Questions</h2>\n")
            for number, (question, answer) in enumerate(faqs, 1):
                parts.append(f"<h3>Q{number}: {escape(question)}</h3>\n<p>{escape(answer)}</p>\n")
            parts.append("</section>\n")
        prev_link, next_link = links[-2], links[-1]
        parts.append(
            f"</article>\n<aside><h2>相關內容 Related</h2><ul>{related}</ul>\n"
            f'<p class="pager">上一篇 Previous: {self.anchor(prev_link)} · '
            f"下一篇 Next: {self.anchor(next_link)}</p></aside>\n</main>\n"
            f'<footer class="site-footer">\n<p>{CLINIC} · 台北市大安區復興南路一段218號3樓 · '
            '<a href="tel:+886227001234">02-2700-1234</a></p>\n<ul>'
            + "".join(f"<li>{self.anchor(hub)}</li>" for hub in (7, 8, 9, 6, 4))
            + "</ul>\n<p>© 2026 Harbor Light. 本網站內容僅供衛教參考，不能取代醫師診斷。</p>\n"
            "</footer>\n</body>\n</html>\n"
        )
        return "".join(parts)

    # --- pages and files -----------------------------------------------------------------

    def render(self, index: int) -> str:
        """The full HTML of page ``index``."""
        rng = random.Random(f"{self.seed}:{index}")
        page = page_id(index)
        title = page_id(index - 1).title if has_defect(index, DUPLICATE_TITLE) else page.title
        description = self.text.description(page.zh, page.en, rng)
        faqs = self.text.faqs(page.en, rng) if page.section == "faq" else []
        jsonld = self.jsonld(page, title, description, faqs)
        meta = None if has_defect(index, NO_DESCRIPTION) else description
        return self.head(page, title, meta, jsonld) + self.body(page, rng, faqs)

    def write_all(self) -> int:
        """Write every file; return the bytes of HTML written."""
        total = 0
        for index in range(self.pages):
            path = self.root / page_id(index).path.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            total += path.write_bytes(self.render(index).encode())
        self.write_sitemaps()
        (self.root / "robots.txt").write_text(
            f"User-agent: *\nAllow: /\n\nSitemap: {self.origin}/sitemap.xml\n", encoding="utf-8"
        )
        return total

    def write_sitemaps(self) -> None:
        def urlset(indexes: range) -> str:
            rows = "".join(
                f"<url><loc>{self.origin}{page_id(i).path}</loc>"
                f"<lastmod>{date(2024, 1, 31) + timedelta(days=i % 700)}</lastmod></url>\n"
                for i in indexes
            )
            head = '<?xml version="1.0" encoding="UTF-8"?>\n'
            return f'{head}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'

        if self.pages <= SITEMAP_LIMIT:
            (self.root / "sitemap.xml").write_text(urlset(range(self.pages)), encoding="utf-8")
            return
        children = []
        for number, start in enumerate(range(0, self.pages, SITEMAP_LIMIT), 1):
            name = f"sitemap-{number}.xml"
            end = min(start + SITEMAP_LIMIT, self.pages)
            (self.root / name).write_text(urlset(range(start, end)), encoding="utf-8")
            children.append(f"<sitemap><loc>{self.origin}/{name}</loc></sitemap>\n")
        (self.root / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(children)
            + "</sitemapindex>\n",
            encoding="utf-8",
        )


def read_marker(root: Path, **wanted: object) -> dict | None:
    """The marker of the site in ``root`` when it matches every ``wanted`` key, else None."""
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if all(marker.get(key) == value for key, value in wanted.items()) else None


def ensure_site(root: Path, pages: int, origin: str, seed: int = 7) -> bool:
    """Generate the site in ``root`` unless it already holds the same one; True if written."""
    wanted = {"version": GENERATOR_VERSION, "pages": pages, "origin": origin, "seed": seed}
    if read_marker(root, **wanted) is not None:
        return False
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    started = time.perf_counter()
    written = SiteWriter(root, pages, origin, seed).write_all()
    marker = {**wanted, "html_bytes": written}
    (root / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    elapsed = time.perf_counter() - started
    print(f"generated {pages} pages in {root} in {elapsed:.1f} s", file=sys.stderr)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--origin", default="http://127.0.0.1:18765")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not ensure_site(args.dir, args.pages, args.origin, args.seed):
        print(f"{args.dir} already holds this site", file=sys.stderr)


if __name__ == "__main__":
    main()
