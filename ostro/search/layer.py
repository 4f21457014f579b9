"""A dictionary seen through a private layer.

Reads fall through to the base; writes and deletions stay in the layer.
Copying a search state then costs nothing per committed placement, which
matters when the live state holds tens of thousands of them and ad hoc
decisions arrive by the thousand.  The base must not change while a layer
over it is in use (the engine commits by replaying onto the live state
only after a search has finished).
"""

_MISSING = object()


class Layer:
    __slots__ = ("base", "local", "gone")

    def __init__(self, base):
        self.base = base
        self.local = {}
        self.gone = set()

    def get(self, key, default=None):
        value = self.local.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if key in self.gone:
            return default
        return self.base.get(key, default)

    def __contains__(self, key):
        return key in self.local or (key not in self.gone and key in self.base)

    def __getitem__(self, key):
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        self.local[key] = value
        self.gone.discard(key)

    def __delitem__(self, key):
        if key not in self:
            raise KeyError(key)
        self.local.pop(key, None)
        if key in self.base:
            self.gone.add(key)

    def pop(self, key, default=None):
        value = self.get(key, _MISSING)
        if value is _MISSING:
            return default
        del self[key]
        return value

    def items(self):
        """(key, value) pairs of the merged view (O(size); not for hot paths)."""
        for key, value in self.base.items():
            if key not in self.gone and key not in self.local:
                yield key, value
        yield from self.local.items()

    def __len__(self):
        return sum(1 for _ in self.items())
