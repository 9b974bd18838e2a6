"""``record`` means what ``dataclasses.dataclass`` means, for the part the project uses: each contract
is checked on twin classes, one made by each, with the same body."""
from __future__ import annotations

import copy
import dataclasses
import pickle
from functools import cached_property

import pytest

from gxnb_xl import record as rec


def _twins(frozen=False, eq=True):
    """The same class body made by dataclasses and by record (same qualname, so reprs compare)."""
    made = []
    for deco, fld in ((dataclasses.dataclass, dataclasses.field), (rec.record, rec.field)):
        class Item:
            """An item."""
            name: str
            count: int = 0
            tags: list = fld(default_factory=list)
            secret: str = fld(default="s", repr=False)
            note: dict = fld(compare=False, default_factory=dict)

            @cached_property
            def shout(self):
                return self.name.upper()
        made.append(deco(frozen=frozen, eq=eq)(Item))
    return made


@dataclasses.dataclass(frozen=True)
class _DC:
    """Pickled by reference, so at module level."""
    a: int
    b: tuple = ()


@rec.record(frozen=True)
class _Rec:
    """Pickled by reference, so at module level."""
    a: int
    b: tuple = ()


@pytest.mark.parametrize("frozen", [False, True])
def test_construction_repr_and_equality_match_dataclasses(frozen):
    dc, r = _twins(frozen=frozen)
    for args, kwargs in [(("x",), {}), (("x", 3), {"tags": [1]}), ((), {"name": "y", "secret": "z", "note": {1: 2}})]:
        a, b = dc(*args, **kwargs), r(*args, **kwargs)
        assert repr(a) == repr(b)
        assert [getattr(a, f.name) for f in dataclasses.fields(a)] == [getattr(b, f.name) for f in rec.fields(b)]
        assert a.shout == b.shout
    assert r("x") == r("x", note={"differs": 1}) and r("x") != r("x", 1) and r("x") != dc("x")
    assert (r("x") == r("x", note={9: 9})) == (dc("x") == dc("x", note={9: 9}))
    assert r("x").tags is not r("x").tags  # a fresh default each time
    for bad in [((), {}), (("x", 1, [], "s", {}, "extra"), {}), (("x",), {"nope": 1}), (("x",), {"name": "y"})]:
        with pytest.raises(TypeError):
            dc(*bad[0], **bad[1])
        with pytest.raises(TypeError):
            r(*bad[0], **bad[1])
    assert r.__match_args__ == dc.__match_args__


def test_frozen_records_refuse_assignment_and_hash_like_dataclasses():
    dc, r = _twins(frozen=True)
    a, b = dc("x", tags=()), r("x", tags=())
    for obj in (a, b):
        with pytest.raises(AttributeError):
            obj.count = 5
        with pytest.raises(AttributeError):
            del obj.name
        with pytest.raises(AttributeError):
            obj.other = 1
    with pytest.raises(rec.FrozenInstanceError):
        b.count = 5
    assert hash(b) == hash(r("x", tags=(), note={"not": "compared"}))
    assert {b: 1}[r("x", tags=())] == 1
    assert b.shout == "X"  # cached_property writes the instance dict, as with a frozen dataclass


def test_hash_rules_follow_dataclasses():
    for frozen, eq in [(False, True), (True, True), (False, False), (True, False)]:
        dc, r = _twins(frozen=frozen, eq=eq)
        assert (dc.__hash__ is None) == (r.__hash__ is None), (frozen, eq)
        if not eq:
            x = r("x")
            assert x != r("x") and x == x and hash(x) == object.__hash__(x)


def test_post_init_runs_after_the_fields_are_set():
    @rec.record
    class Checked:
        """Validates itself."""
        n: int

        def __post_init__(self):
            if self.n < 0:
                raise ValueError("negative")
            self.double = self.n * 2
    assert Checked(2).double == 4
    with pytest.raises(ValueError):
        Checked(-1)


def test_pickle_copy_replace_and_fields():
    x = _Rec(1, (2,))
    assert pickle.loads(pickle.dumps(x)) == x and copy.deepcopy(x) == x and copy.copy(x) == x
    y = rec.replace(x, b=(3,))
    assert y == _Rec(1, (3,)) and x.b == (2,)
    assert dataclasses.replace(_DC(1, (2,)), b=(3,)) == _DC(1, (3,))  # the twin, for the meaning
    assert [f.name for f in rec.fields(_Rec)] == [f.name for f in dataclasses.fields(_DC)] == ["a", "b"]
    with pytest.raises(TypeError):
        rec.replace(x, c=1)
    with pytest.raises(TypeError):
        rec.fields(object())


def test_declaration_errors_match_dataclasses():
    for deco, fld in ((dataclasses.dataclass, dataclasses.field), (rec.record, rec.field)):
        with pytest.raises(TypeError):
            @deco
            class Order:
                """Default before a required field."""
                a: int = 0
                b: int
        with pytest.raises(ValueError):
            @deco
            class Shared:
                """A mutable default would be shared by every instance."""
                a: list = []  # noqa: RUF012
        with pytest.raises(ValueError):
            fld(default=1, default_factory=list)


def test_a_subclass_keeps_its_bases_fields_like_dataclasses():
    made = []
    for deco in (dataclasses.dataclass, rec.record):
        @deco(frozen=True)
        class Base:
            """Two fields."""
            a: int
            b: int = 1

        @deco(frozen=True)
        class Derived(Base):
            """One more, after the base's; b's default overridden."""
            b: int = 2
            c: str = "c"
        made.append(Derived)
    dc, r = made
    assert repr(r(0)) == repr(dc(0)) and repr(r(0, 5, "x")) == repr(dc(0, 5, "x"))
    assert r(0) == r(0, 2, "c") and r(0) != r(1) and hash(r(0)) == hash(r(0, 2, "c"))
    assert [f.name for f in rec.fields(r)] == [f.name for f in dataclasses.fields(dc)] == ["a", "b", "c"]
    assert r.__match_args__ == dc.__match_args__
    with pytest.raises(AttributeError):
        r(0).a = 1


def test_class_variables_are_not_fields_when_annotations_are_objects():
    import typing
    made = []
    for deco in (dataclasses.dataclass, rec.record):
        class Counted:
            """Annotations as objects (a module without ``from __future__ import annotations``)."""
            __annotations__ = {"name": str, "made": typing.ClassVar[int]}  # noqa: RUF012
            made = 0
        made.append(deco(Counted))
    dc, r = made
    assert repr(r("x")) == repr(dc("x")) and r.made == dc.made == 0
    assert [f.name for f in rec.fields(r)] == [f.name for f in dataclasses.fields(dc)] == ["name"]
