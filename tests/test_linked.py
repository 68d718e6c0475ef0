"""Groups linked by shared keys (storyline.linked): transitive links, input order kept."""

from storyline.linked import linked_groups


def test_linked_groups_join_through_a_third_item_and_keep_input_order() -> None:
    items = ["Kerry Lavrov", "Assad", "Lavrov Putin", "Putin", "Hollande", "Assad Damascus"]
    groups = linked_groups(items, str.split)
    # "Kerry Lavrov" and "Putin" share no word; "Lavrov Putin" links them
    assert groups == [
        ["Kerry Lavrov", "Lavrov Putin", "Putin"],
        ["Assad", "Assad Damascus"],
        ["Hollande"],
    ]


def test_linked_groups_an_item_without_keys_is_alone() -> None:
    assert linked_groups([1, 2, 3], lambda i: [] if i == 2 else ["k"]) == [[1, 3], [2]]
