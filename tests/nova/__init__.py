"""Valet's Nova filter inside a real in-process nova (its own pytest run:
nova's functional base monkey-patches eventlet and owns the global CONF)."""
