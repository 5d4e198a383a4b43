"""One dialable number per link on the crisis page.

A crisis resource's phone is a line a coordinator types, and may hold several numbers, each
with its place: "999 (UK) · 112 (EU) · 911 (US)". A single `tel:` link for the whole line
cannot dial, so the line is split into its numbers, each with its label and a digits-only
address.
"""

import re

from django import template

register = template.Library()

# Numbers are separated by a middle dot, a semicolon, a comma, a slash or a bar.
_SEPARATORS = re.compile(r"\s*[·•;,/|]\s*")
_LABEL = re.compile(r"\(([^)]*)\)")


@register.filter
def phone_numbers(value):
    """[{"number": "0808 500 2222", "label": "UK", "dial": "08085002222"}, ...]; a part
    without digits is kept as text (dial empty), never made into a link."""
    numbers = []
    for part in _SEPARATORS.split(value or ""):
        part = part.strip()
        if not part:
            continue
        labels = _LABEL.findall(part)
        number = _LABEL.sub("", part).strip()
        digits = re.sub(r"\D", "", number)
        dial = ("+" if number.startswith("+") else "") + digits
        numbers.append(
            {
                "number": number or part,
                "label": " ".join(label.strip() for label in labels if label.strip()),
                "dial": dial if digits else "",
            }
        )
    return numbers
