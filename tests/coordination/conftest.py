"""The coordinators' pages' shared fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _figures_worked_out_afresh(db):
    """The figures page keeps its figures for a minute (coordination/figures.py) under one key
    for the whole run, while each test starts from an empty database: each test here sees the
    figures of its own rows."""
    from peersupport.coordination import figures

    figures.forget()
    yield
    figures.forget()
