"""``valet-engine``: the engine as a service (DESIGN §2, §6).

Every engine serves the RPC of :mod:`ostro.rpc` (any number may, since
commits are serialized by the store).  One of them, elected with tooz
(:mod:`.leader`), also does the background work: expiry of planned and
reserved placements, the ``nova`` inventory sync and reconciliation
(:mod:`.sync`), and Nova's notifications (:mod:`.notifications`).
"""
