"""Groups of items linked by shared keys (connected components, union-find).

Two items that share a key are in one group, and so are items linked through others. Used
where a page or a corpus splits into independent parts: entity merging (mentions linked by
name tokens) and a page's cast (sentences linked by name words).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Sequence

T = TypeVar("T")


def linked_groups(items: Sequence[T], keys: Callable[[T], Iterable[Hashable]]) -> list[list[T]]:
    """Return the items grouped by shared keys, each group in input order.

    Groups come in the order of their first item; an item with no key is a group of its own.
    """
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving: the trees stay shallow
            i = parent[i]
        return i

    owner: dict[Hashable, int] = {}
    for i, item in enumerate(items):
        for key in keys(item):
            j = owner.setdefault(key, i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the earlier item is the root: input order
    groups: dict[int, list[T]] = {}
    for i, item in enumerate(items):
        groups.setdefault(root(i), []).append(item)
    return list(groups.values())
