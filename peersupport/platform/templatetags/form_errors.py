"""The error summary at the top of a form that failed, and "Error: " in its page's title
(GOV.UK Design System). Both look through the page's context for bound forms with errors."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    message: str
    target: str = ""  # the id of the field to go to; empty for an error about the whole form


def _failed_forms(context) -> list[forms.BaseForm]:
    """Once a page (the title and the summary both ask). By the type alone, so the lazy values
    every page's context holds (the user, the CSRF token) are not worked out to be looked at."""
    if "failed_forms" in context.render_context:
        return context.render_context["failed_forms"]
    seen: list[forms.BaseForm] = []
    for layer in context.dicts:
        for value in layer.values():
            failed = issubclass(type(value), forms.BaseForm) and value.is_bound and value.errors
            if failed and not any(value is form for form in seen):
                seen.append(value)
    context.render_context["failed_forms"] = seen
    return seen


def _target(field: forms.BoundField) -> str:
    """The id crispy-forms gives the field's control. A group of checkboxes or radios has no
    one control: go to the first of them, as the GOV.UK pattern does."""
    if field.is_hidden:
        return ""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else ""


def summary_errors(form: forms.BaseForm) -> list[SummaryError]:
    """Each of the form's errors once: those about the whole form first, then each field's
    in the order the fields are shown."""
    errors = [SummaryError(str(message)) for message in form.non_field_errors()]
    for field in form:
        target = _target(field)
        errors.extend(
            SummaryError(_with_label(field, str(message)), target) for message in field.errors
        )
    return errors


def _with_label(field: forms.BoundField, message: str) -> str:
    """Away from its field, "This field is required." says nothing: name the field. (A
    tick box's label is the sentence being agreed to, and its messages say which box.)"""
    label = str(field.label or "").rstrip(" :.")
    if not label or field.is_hidden or isinstance(field.field, forms.BooleanField):
        return message
    return f"{label}: {message}"


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    return "Error: " if _failed_forms(context) else ""


@register.inclusion_tag("includes/error_summary.html", takes_context=True)
def error_summary(context) -> dict:
    failed = _failed_forms(context)
    return {
        "failed_forms": failed,
        "summary_errors": [error for form in failed for error in summary_errors(form)],
    }
