"""Where every anchor landed in the print edition: page labels, locators and merged ranges."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageMap:
    labels: list[str] = field(default_factory=list)          # printed folio of each PDF page
    anchors: dict[str, int] = field(default_factory=dict)    # element id -> PDF page index
    # Per PDF page: the ids around its first line (outermost first) and that line's text.
    page_starts: list[tuple[list[str], str]] = field(default_factory=list)
    repaired_pages: int = 0
    parts_laid_out: int = 0                                   # by this build
    parts_reused: int = 0                                     # taken from the layout cache
    parts_refolioed: int = 0                                  # kept text given the folios of a new first page
    parts_spanned: int = 0                                    # laid out again with index marks as spans
    short_fragments: list[tuple[int, str, int]] = field(default_factory=list)  # widows and orphans
    overflows: list[tuple[int, str, str]] = field(default_factory=list)        # (page, block, text) past the margin

    def label(self, anchor: str) -> str:
        return self.labels[self.anchors[anchor]]

    def locators(self, mark_ids: list[str]) -> list[tuple[str, str, str | None, str | None]]:
        """Pages of the marks, one locator a page, consecutive pages merged into ranges ('4–6')."""
        first_on_page: dict[int, str] = {}
        for mark in mark_ids:
            first_on_page.setdefault(self.anchors[mark], mark)
        runs: list[list[int]] = []
        for page in sorted(first_on_page):
            if runs and page == runs[-1][-1] + 1 and _same_style(self.labels[page], self.labels[page - 1]):
                runs[-1].append(page)
            else:
                runs.append([page])
        return [(self.labels[run[0]], first_on_page[run[0]],
                 self.labels[run[-1]] if len(run) > 1 else None,
                 first_on_page[run[-1]] if len(run) > 1 else None) for run in runs]


def _same_style(a: str, b: str) -> bool:
    return a.isdigit() == b.isdigit()


def roman(number: int) -> str:
    values = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
              (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for value, letters in values:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)
