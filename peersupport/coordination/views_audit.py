"""The audit trail for coordinators: who opened or changed what, by person, pairing or date,
a page at a time (a fixed number of queries whatever its length), and the same rows as a CSV.
Opening the page and downloading the CSV are themselves recorded. Coordinators only: anyone
else gets 404.

Rows hold ids, codes and counts, never what anyone wrote; the CSV is the same, with every
cell that a spreadsheet could read as a formula neutralised."""

from __future__ import annotations

import csv
import datetime
import json

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peersupport.people import audit
from peersupport.people.access import coordinator_required
from peersupport.people.events import AuditAction
from peersupport.people.form_base import NeutralErrorsMixin
from peersupport.people.models import PAIRING_LABEL, AuditEvent, Role, User

PAGE_SIZE = 50
CSV_CHUNK = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AuditFilterForm(NeutralErrorsMixin, forms.Form):
    person = forms.CharField(
        label=_("Person (email address or account number)"), required=False, max_length=254
    )
    pairing = forms.IntegerField(label=_("Pairing number"), required=False, min_value=1)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_person(self) -> int | None:
        value = self.cleaned_data["person"].strip()
        if not value:
            return None
        if value.isdigit():
            return int(value)
        found = User.objects.filter(email__iexact=value).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(_("No account has that email address."))
        return found


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` on the coordinator's clock (the active time zone)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_events(cleaned: dict):
    events = AuditEvent.objects.all()
    if cleaned.get("person"):
        events = events.for_person(cleaned["person"])
    if cleaned.get("pairing"):
        events = events.for_pairing(cleaned["pairing"])
    if cleaned.get("since"):
        events = events.filter(at__gte=_day_start(cleaned["since"]))
    if cleaned.get("until"):
        events = events.filter(at__lt=_day_start(cleaned["until"] + datetime.timedelta(days=1)))
    return events.order_by("-id")


def _filters(request) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    return form, cleaned


def _recorded(cleaned: dict) -> dict:
    """The filters as the audit row keeps them: ids and dates, never a typed address."""
    return {
        "person": cleaned.get("person"),
        "pairing": cleaned.get("pairing"),
        "since": cleaned["since"].isoformat() if cleaned.get("since") else None,
        "until": cleaned["until"].isoformat() if cleaned.get("until") else None,
    }


def _target_words(target_type: str) -> str:
    if not target_type:
        return ""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return gettext("Record")


_ROLE_WORDS = dict(Role.choices)


@coordinator_required
def audit_trail(request):
    form, cleaned = _filters(request)
    audit.record_read(request, AuditAction.AUDIT_VIEWED, None, **_recorded(cleaned))
    events = filtered_events(cleaned).select_related("actor")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.target_words = _target_words(event.target_type)
        event.role_words = _ROLE_WORDS.get(event.actor_role, "")
        event.is_pairing = event.target_type == PAIRING_LABEL and event.target_id is not None
    return render(request, "team/audit.html", {"form": form, "page": page})


def _safe(value) -> str:
    """A cell no spreadsheet runs as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            "id",
            "when_utc",
            "actor_id",
            "actor_role",
            "action",
            "what",
            "target_type",
            "target_id",
            "data",
            "hash",
        ]
    )
    for event in events.iterator(chunk_size=CSV_CHUNK):
        yield writer.writerow(
            [
                _safe(cell)
                for cell in (
                    event.pk,
                    event.at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                    event.actor_id,
                    event.actor_role,
                    event.action,
                    event.get_action_display(),
                    event.target_type,
                    event.target_id,
                    json.dumps(event.data, sort_keys=True),
                    event.hash,
                )
            ]
        )


@coordinator_required
def audit_trail_csv(request):
    _form, cleaned = _filters(request)
    audit.record_read(request, AuditAction.AUDIT_EXPORTED, None, **_recorded(cleaned))
    response = StreamingHttpResponse(
        _csv_rows(filtered_events(cleaned)), content_type="text/csv; charset=utf-8"
    )
    # A neutral name: the file may sit in a shared downloads folder.
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="activity-{stamp}.csv"'
    return response
