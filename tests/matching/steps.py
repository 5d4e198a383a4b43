"""Asking for a peer supporter as a person does: each step of the request, then the check
page (matching/views_request.py). For the tests that used to post the one long form."""

from __future__ import annotations

from django.urls import reverse

from matching.request_steps import STEPS


def step_url(slug: str, pk: int | None = None) -> str:
    if pk is None:
        return reverse("matching:request_step", kwargs={"step": slug})
    return reverse("matching:request_edit_step", kwargs={"pk": pk, "step": slug})


def check_url(pk: int | None = None) -> str:
    if pk is None:
        return reverse("matching:request_check")
    return reverse("matching:request_edit_check", kwargs={"pk": pk})


def fields_of(slug: str, data: dict) -> dict:
    form_class = next(step.form_class for step in STEPS if step.slug == slug)
    return {name: value for name, value in data.items() if name in form_class.base_fields}


def send_request(client, data: dict, *, pk: int | None = None, **kwargs):
    """Post `data` step by step (each step gets its own fields) and send it from the check
    page: a new request, or changes to request `pk`. Returns the first answer that is not a
    step moving on (a refusal, a step with errors), else the check page's answer to sending."""
    if pk is not None:
        started = client.get(reverse("matching:request_edit", kwargs={"pk": pk}))
        if started.status_code != 302:
            return started
    for step in STEPS:
        url = step_url(step.slug, pk) + ("?change=1" if pk is not None else "")
        response = client.post(url, fields_of(step.slug, data))
        if response.status_code != 302 or response.url == reverse("home"):
            return response
    return client.post(check_url(pk), **kwargs)
