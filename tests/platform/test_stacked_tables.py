"""Every table of the service stacks into labelled rows on a phone (site.css, "Stacked
tables"): each <table> in the templates has class table-stack and each data cell a data-label
(empty only for a cell of buttons or links that name themselves, or a whole-row message)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Tables that stay tables on a phone, with the reason.
GRIDS = {
    "widgets/week_grid.html": "checkboxes, days by parts of the day: read across and down; "
    "four narrow columns fit at 320 px",
}


def _tables():
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for match in re.finditer(r"<table\b.*?</table>", text, re.S):
            yield path.relative_to(TEMPLATES), match.group(0)


def test_every_table_stacks_on_a_phone():
    tables = list(_tables())
    assert len(tables) >= 9  # the caseload, sessions, the coordinators' lists and histories
    for path, table in tables:
        if str(path) in GRIDS:
            continue
        opening = re.match(r"<table\b[^>]*>", table).group(0)
        assert "table-stack" in opening, path
        for cell in re.findall(r"<td\b[^>]*>", table):
            assert "data-label=" in cell or "colspan=" in cell, (path, cell)


def test_the_stacking_lives_in_one_labelled_section_of_site_css():
    css = (TEMPLATES.parent / "static" / "css" / "site.css").read_text()
    section = css[css.index("/* === Stacked tables") : css.index("/* === End of stacked tables")]
    assert "@media (max-width: 767.98px)" in section
    assert "content: attr(data-label)" in section
