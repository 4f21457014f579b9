"""Small helpers over OR-tools' CP-SAT shared by the rules
(:mod:`ostro.constraints`) and the exact search (:mod:`ostro.search.exact`)."""

from ortools.sat.python import cp_model


def total(terms):
    """Sum of CP-SAT expressions (much faster than Python's ``sum`` on them)."""
    terms = list(terms)
    return cp_model.LinearExpr.sum(terms) if terms else 0
