"""Valet inside Heat: the stack lifecycle plugin (:mod:`.plugin`), the
resource types (:mod:`.resources`) and the plan a stack becomes (:mod:`.plan`)."""
