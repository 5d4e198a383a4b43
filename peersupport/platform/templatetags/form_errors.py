"""The error summary at the top of a form that failed, and "Error: " in its page's title
(GOV.UK Design System). Both look through the page's context for bound forms with errors."""

from django import forms, template

register = template.Library()


def _failed_forms(context) -> list[forms.BaseForm]:
    seen: list[forms.BaseForm] = []
    for layer in context.dicts:
        for value in layer.values():
            failed = isinstance(value, forms.BaseForm) and value.is_bound and value.errors
            if failed and not any(value is form for form in seen):
                seen.append(value)
    return seen


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    return "Error: " if _failed_forms(context) else ""


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context) -> dict:
    return {"failed_forms": _failed_forms(context)}
