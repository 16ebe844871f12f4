"""One registry for every extension point: plugin classes by stable ``name``.

Built-ins and plugins register the same way, through an entry-point group; ``register`` rejects
a second class under a name already taken. ``builtins`` (``module:attr`` strings) are loaded
too when the package's entry points are not installed yet (a source checkout). Lookups of an
unknown name raise what ``missing(name, names)`` builds, so each extension point keeps its own
message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import ClassVar, Generic, Protocol, TypeVar

from cthub.core.errors import CthubError


class Named(Protocol):
    name: ClassVar[str]


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Classes of one extension point by name; ``get`` returns a fresh instance."""

    def __init__(
        self,
        group: str,
        builtins: Sequence[str],
        missing: Callable[[str, str], CthubError],
        kind: str = "plugin",
    ) -> None:
        self.group, self.builtins, self.missing, self.kind = group, tuple(builtins), missing, kind
        self._classes: dict[str, type[T]] = {}
        self._loaded = False

    def register(self, cls: type[T]) -> type[T]:
        held = self._classes.get(cls.name)
        if held is not None and held is not cls:
            raise ValueError(f"{self.kind} name {cls.name!r} is taken by {held.__qualname__}")
        self._classes[cls.name] = cls
        return cls

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        seen: set[str] = set()
        for ep in entry_points(group=self.group):
            seen.add(ep.value)
            self.register(ep.load())
        for spec in self.builtins:  # until the entry points are installed with the package
            if spec not in seen:
                module, _, attr = spec.partition(":")
                self.register(getattr(__import__(module, fromlist=[attr]), attr))

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._classes[name]()
        except KeyError:
            raise self.missing(name, ", ".join(self.names())) from None

    def names(self) -> list[str]:
        self._load()
        return sorted(self._classes)

    def all(self) -> list[T]:
        return [self._classes[name]() for name in self.names()]


__all__ = ["Registry"]
