"""Records: the project's value classes, with ``dataclasses``' meaning and without its start-up cost.

On Python 3.11, ``@dataclass`` compiles three to six functions per class when its module is imported
(~0.3 ms for a frozen class) and ``dataclasses`` imports ``inspect`` (~4 ms): 19 records on the way of
``gxnb check one.xlsx`` cost about 12 ms of a 60 ms process, before a byte is read. Here ``__init__``
is the code ``dataclasses`` writes, compiled when a class is first instantiated (records that only
come out of a pickle, like the compiled spec's, never pay); ``__repr__``, ``__eq__``, ``__hash__`` and
the frozen guard are shared functions over the class's field table.

Used as ``dataclasses`` is, for the part this project uses: ``@record``/``@record(frozen=True,
eq=False)``, ``field(default=…, default_factory=…, repr=…, compare=…)``, ``__post_init__``,
``replace`` and ``fields``. Records are plain classes with a ``__dict__`` (``cached_property`` works,
pickle and copy need nothing extra). ``tests/test_record.py`` holds the behaviour equal to
``dataclasses``' on the same classes.
"""
from __future__ import annotations

from reprlib import recursive_repr

__all__ = ["FrozenInstanceError", "field", "fields", "record", "replace"]


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (``dataclasses.FrozenInstanceError``'s role)."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
_FACTORY = _Missing()  # the __init__ default of a field with a default_factory


class Field:
    """One field of a record: its name and how it is initialised, shown and compared."""
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default=MISSING, default_factory=MISSING, repr=True, compare=True):  # noqa: A002
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = None
        self.default, self.default_factory, self.repr, self.compare = default, default_factory, repr, compare

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r},default={self.default!r},default_factory={self.default_factory!r},"
                f"repr={self.repr!r},compare={self.compare!r})")


def field(*, default=MISSING, default_factory=MISSING, repr=True, compare=True):  # noqa: A002 - dataclasses' words
    return Field(default, default_factory, repr, compare)


def fields(obj) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    try:
        return obj.__record_fields__
    except AttributeError:
        raise TypeError("must be called with a record type or instance") from None


def replace(obj, /, **changes):
    """A new record like ``obj`` with ``changes`` (``dataclasses.replace``)."""
    for f in fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def record(cls=None, /, *, frozen: bool = False, eq: bool = True):
    """``@dataclass`` with the same arguments this project uses (``frozen``, ``eq``)."""
    def wrap(c):
        return _process(c, frozen, eq)
    return wrap if cls is None else wrap(cls)


def _process(cls, frozen: bool, eq: bool):
    inherited: dict[str, Field] = {}  # a base record's fields come first, as dataclasses orders them
    for base in cls.__mro__[-1:0:-1]:
        for f in base.__dict__.get("__record_fields__", ()):
            inherited[f.name] = f
    declared: dict[str, Field] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).replace("typing.", "", 1).startswith("ClassVar"):  # a string, or typing's object
            continue
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        if type(f.default).__hash__ is None:  # unhashable = mutable, dataclasses' own test (list, dict, set …)
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        if f.default is MISSING:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, f.default)
        declared[name] = f
    table = list({**inherited, **declared}.values())  # a field named again keeps its base's place
    seen_default = False
    for f in table:
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    cls.__record_fields__ = tuple(table)
    cls.__match_args__ = tuple(f.name for f in table)
    own = cls.__dict__
    if "__init__" not in own:
        cls.__init__ = _first_init(cls)
    if "__repr__" not in own:
        cls.__repr__ = _repr
    if eq:
        if "__eq__" not in own:
            cls.__eq__ = _eq
        if "__hash__" not in own or own["__hash__"] is None:
            cls.__hash__ = _hash if frozen else None
    if frozen:
        def __setattr__(self, name, value):
            if type(self) is cls or name in names:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)

        def __delattr__(self, name):
            if type(self) is cls or name in names:
                raise FrozenInstanceError(f"cannot delete field {name!r}")
            super(cls, self).__delattr__(name)
        names = cls.__match_args__
        cls.__setattr__, cls.__delattr__ = __setattr__, __delattr__
    cls.__record_frozen__ = frozen
    return cls


def _first_init(cls):
    def __init__(self, *args, **kwargs):  # replaced by the compiled one at the first instantiation
        cls.__init__ = _compile_init(cls)
        cls.__init__(self, *args, **kwargs)
    return __init__


def _compile_init(cls):
    """The ``__init__`` ``dataclasses`` would write for ``cls`` (same parameters, same assignments)."""
    scope = {"__object_setattr": object.__setattr__, "__FACTORY": _FACTORY}
    params, body = ["self"], []
    for f in cls.__record_fields__:
        n = f.name
        if f.default_factory is not MISSING:
            scope[f"__factory_{n}"] = f.default_factory
            params.append(f"{n}=__FACTORY")
            value = f"__factory_{n}() if {n} is __FACTORY else {n}"
        elif f.default is not MISSING:
            scope[f"__default_{n}"] = f.default
            params.append(f"{n}=__default_{n}")
            value = n
        else:
            params.append(n)
            value = n
        body.append(f"__object_setattr(self, {n!r}, {value})" if cls.__record_frozen__ else f"self.{n} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n    " + "\n    ".join(body or ["pass"]) + "\n"
    exec(source, scope)  # noqa: S102 - source built from the class's own field names
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


@recursive_repr()
def _repr(self) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    return f"{self.__class__.__qualname__}({shown})"


def _key(self) -> tuple:
    return tuple(getattr(self, f.name) for f in self.__record_fields__ if f.compare)


def _eq(self, other):
    if other.__class__ is self.__class__:
        return _key(self) == _key(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(_key(self))
