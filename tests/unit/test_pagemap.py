from bookbuild.pagemap import PageMap, roman


def test_locators_merge_consecutive_pages_and_keep_styles_apart():
    pm = PageMap(labels=["i", "ii", "1", "2", "3", "4", "5", "6"],
                 anchors={"a": 0, "b": 1, "c": 2, "d": 3, "e": 3, "f": 4, "g": 6})
    assert pm.locators(["a", "b", "c", "d", "e", "f", "g"]) == [
        ("i", "a", "ii", "b"), ("1", "c", "3", "f"), ("5", "g", None, None)]


def test_roman():
    assert [roman(n) for n in (1, 4, 9, 14, 40)] == ["i", "iv", "ix", "xiv", "xl"]


def test_index_ids_are_plain_and_unique():
    """An entry's id drops its name's accents (Rákosi, not r-kosi); a sub-entry's follows its
    entry's, so that the same sub-entry under two entries is two ids, as EPUBCheck requires."""
    from bookbuild.model import IndexEntry
    from bookbuild.render.indexview import entry_key, index_groups
    assert entry_key("Rákosi, Mátyás") == "rakosi-matyas"
    assert entry_key("Хрущёв") != entry_key("Брежнев") and entry_key("Хрущёв").isascii()
    page_map = PageMap(labels=["1", "2"], anchors={"m1": 0, "m2": 1})
    parties = [IndexEntry(name, name.casefold(), "organisations",
                          sub=[IndexEntry("Central Committee", "central committee", "organisations", marks=[mark])])
               for name, mark in (("Chinese Communist Party", "m1"), ("Communist Party of the Soviet Union", "m2"))]
    rows = [row for group in index_groups(parties, page_map) for row in group.rows]
    keys = [row.key for row in rows] + [sub.key for row in rows for sub in row.sub]
    assert len(set(keys)) == len(keys) == 4
    assert rows[0].sub[0].key == "chinese-communist-party--central-committee"
