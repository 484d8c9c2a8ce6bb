"""`Slotted`: a record compared, hashed and shown by its fields, for the few records made on the
way to `mine`'s first git (mining/launch.py).

What `@dataclass(frozen=True, slots=True)` gives them, without importing dataclasses, which
brings inspect (and with it ast, dis and tokenize): ~10 ms of start-up, more than anything else
`mine` imports before git runs. A subclass lists its fields in `__slots__`, sets each once in
`__init__` and marks them `Final`, so that mypy refuses any later assignment as it does for a
frozen dataclass's.
"""

from __future__ import annotations


class Slotted:
    """Equal when of the same class with equal fields (`__slots__`); hashed
    and shown by those fields, as a frozen dataclass is."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Slotted) or type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"
