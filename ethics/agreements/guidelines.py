"""The downloadable guidelines: a PDF made from the current published agreement versions.

fpdf2 (pure Python) with DejaVu Sans shipped in ethics/agreements/fonts/ (licence beside it): the
organisation's text has typographic quotes that the PDF core fonts cannot draw. Published
versions never change, so the PDF for a given set of versions is made once per process.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .models import AgreementVersion

# fontTools reports every subsetting step at INFO; that is noise in the service's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
DATA_FILE = Path(__file__).resolve().parent / "data" / "agreements.json"
FILE_NAME = "peer-support-guidelines.pdf"
TITLE = gettext_lazy("Guidelines for peer support")

# The limits of confidentiality, in plain words (the seed's items say the same).
CONFIDENTIALITY_INTRO = gettext_lazy(
    "What you share with your peer supporter stays between you, with three exceptions. "
    "Your supporter must tell a coordinator if:"
)
CONFIDENTIALITY_LIMITS = (
    gettext_lazy("you may be in danger of harming yourself;"),
    gettext_lazy("you may be a danger to someone else;"),
    gettext_lazy("a child is at risk of harm."),
)
CONFIDENTIALITY_AFTER = gettext_lazy(
    "In those cases keeping people safe comes first. Everything else you share stays "
    "confidential, within the law."
)


@cache
def confidentiality_context() -> dict:
    """The limits of confidentiality, for the pages that show them beside a form."""
    return {
        "intro": CONFIDENTIALITY_INTRO,
        "limits": CONFIDENTIALITY_LIMITS,
        "after": CONFIDENTIALITY_AFTER,
    }


def preface() -> tuple[str, ...]:
    """The organisation's few lines on what peer support is (shipped with the agreements)."""
    return tuple(json.loads(DATA_FILE.read_text(encoding="utf-8"))["preface"])


class _GuidelinesPDF(FPDF):
    def footer(self):
        self.set_y(-14)
        self.set_font("DejaVu", size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"{settings.SITE_NAME} · {self.page_no()}", align="C")


def _published(version: AgreementVersion) -> str:
    return date_format(timezone.localtime(version.published_at), "j F Y")


def _paragraph(pdf: FPDF, text: str, *, size: float = 11, after: float = 2.5) -> None:
    pdf.set_font("DejaVu", size=size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(after)


def _numbered(pdf: FPDF, number: str, text: str) -> None:
    pdf.set_font("DejaVu", size=11)
    indent = 9
    # An item is never split across two pages.
    width = pdf.w - pdf.l_margin - pdf.r_margin - indent
    height = pdf.multi_cell(width, 5.5, text, align="L", dry_run=True, output="HEIGHT")
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.cell(indent, 5.5, number, new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.multi_cell(0, 5.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _heading(pdf: FPDF, text: str, *, size: float = 14) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 45:  # keep a heading with what follows it
        pdf.add_page()
    pdf.set_font("DejaVu", style="B", size=size)
    pdf.multi_cell(0, size * 0.55, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


_CACHE: dict[tuple, bytes] = {}


def render(versions: list[AgreementVersion]) -> bytes:
    """The PDF for these versions (each with its items prefetched)."""
    key = (
        get_language(),
        tuple((v.pk, v.published_at.isoformat() if v.published_at else "") for v in versions),
    )
    pdf = _CACHE.get(key)
    if pdf is None:
        pdf = _build(versions)
        if len(_CACHE) >= 8:
            _CACHE.clear()
        _CACHE[key] = pdf
    return pdf


def _build(versions: list[AgreementVersion]) -> bytes:
    pdf = _GuidelinesPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(str(TITLE))
    pdf.set_author(settings.SITE_NAME)
    pdf.set_creator(settings.SITE_NAME)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    _heading(pdf, str(TITLE), size=20)
    for paragraph in preface():
        _paragraph(pdf, paragraph)
    pdf.ln(3)
    for version in versions:
        _heading(pdf, version.document.title)
        pdf.set_font("DejaVu", size=9)
        pdf.set_text_color(90)
        pdf.cell(
            0,
            5,
            _("Version %(number)s, published %(date)s")
            % {"number": version.number, "date": _published(version)},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0)
        pdf.ln(2)
        for paragraph in version.introduction_paragraphs():
            _paragraph(pdf, paragraph)
        for item in version.items.all():
            _numbered(pdf, f"{item.number}.", item.text)
        pdf.ln(5)
    _heading(pdf, _("The limits of confidentiality"))
    _paragraph(pdf, str(CONFIDENTIALITY_INTRO))
    for limit in CONFIDENTIALITY_LIMITS:
        _numbered(pdf, "•", str(limit))
    _paragraph(pdf, str(CONFIDENTIALITY_AFTER))
    return bytes(pdf.output())
