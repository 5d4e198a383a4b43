"""The survivor's urgent route: "I don't feel safe with my supporter". A short page with an
optional few words and one button; then a page saying what happens next, with the crisis
resources. The survivor of the pairing only: anyone else gets 404. The work is
ethics/care/safeguarding.urgent_raise."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peersupport.people.access import survivor_required
from peersupport.people.confirm import confirm_page
from peersupport.people.form_base import show_validation_error
from peersupport.people.models import CrisisResource

from .forms import UrgentForm
from .models import Concern, ConcernCategory
from .safeguarding import get_pairing_for_urgent_route, urgent_raise


@survivor_required
@require_http_methods(["GET", "POST"])
def urgent(request, pk: int):
    pairing = get_pairing_for_urgent_route(request.user, pk)
    if pairing is None:
        raise Http404
    form = UrgentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            urgent_raise(
                survivor=request.user, pairing_id=pairing.pk, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            return redirect("care:urgent_next", pk=pairing.pk)
    return confirm_page(
        request,
        heading=_("Get help now"),
        happens=[
            _("Your pairing is paused at once."),
            _(
                "Your peer supporter can no longer see your pairing, your sessions or "
                "anything about you."
            ),
            _("They are told only that the pairing is paused, not why."),
            _("Every coordinator is told straight away and will contact you."),
        ],
        action=reverse("care:urgent", args=[pairing.pk]),
        confirm=_("Yes, pause it and tell a coordinator"),
        back=reverse("matching:pairing", args=[pairing.pk]),
        form=form,
        status=400 if form.errors else 200,
    )


@survivor_required
def urgent_next(request, pk: int):
    """What happens next, once the survivor has used the urgent route for this pairing."""
    raised = (
        Concern.objects.filter(
            pairing_id=pk, raised_by=request.user, category=ConcernCategory.UNSAFE
        )
        .order_by("-created_at")
        .first()
    )
    if raised is None:
        raise Http404
    return render(
        request,
        "ethics/urgent_next.html",
        {"concern": raised, "resources": CrisisResource.objects.active()},
    )
