from bookbuild.pagemap import PageMap, roman


def test_locators_merge_consecutive_pages_and_keep_styles_apart():
    pm = PageMap(labels=["i", "ii", "1", "2", "3", "4", "5", "6"],
                 anchors={"a": 0, "b": 1, "c": 2, "d": 3, "e": 3, "f": 4, "g": 6})
    assert pm.locators(["a", "b", "c", "d", "e", "f", "g"]) == [
        ("i", "a", "ii", "b"), ("1", "c", "3", "f"), ("5", "g", None, None)]


def test_roman():
    assert [roman(n) for n in (1, 4, 9, 14, 40)] == ["i", "iv", "ix", "xiv", "xl"]
