"""The engine's operations over oslo.messaging (``[engine] mode = rpc``).

The engine service hosts an :class:`~ostro.rpc.server.Endpoint` over its
:class:`~ostro.operations.Operations`; the API holds a
:class:`~ostro.rpc.client.Client` with the same method names, arguments,
answers and errors (:mod:`ostro.rpc.errors`), over the transport of
:mod:`ostro.rpc.transport`, so a controller cannot tell the two modes apart.
"""

#: The version of the RPC interface: a major change when an operation
#: changes its arguments incompatibly.
VERSION = "1.0"
