"""The repository's reader, built and opened: the PDF as a print shop and a student get it."""

import re
import subprocess

import pytest
from pypdf import PdfReader

from bookbuild.model import plain_text
from tests.helpers import REPO, index_forms, normalise, pdf_labels, pdf_pages


@pytest.fixture(scope="module")
def pdf(built_reader):
    root, result = built_reader
    path = result.outputs["pdf"]
    return path, pdf_pages(path), pdf_labels(path), result


def _words_by_page(pages):
    """Every word of the PDF with its page; lines are not joined (the matcher rejoins split words)."""
    words, page_of = [], []
    for index, text in enumerate(pages):
        for line in text.split("\n"):
            for word in normalise(line).split():
                words.append(word)
                page_of.append(index)
    return words, page_of


def _in_order(paragraph: str, words: list[str], page_of: list[int]) -> bool:
    """The paragraph's words in order; a gap (running head, notes) only where a page turns."""
    want = normalise(paragraph).split()
    return any(_match_from(start, want, words, page_of) for start, w in enumerate(words)
               if want[0].startswith(w) and w)


def _match_from(pos: int, want: list[str], words: list[str], page_of: list[int]) -> bool:
    for word in want:
        pos = _take(word, pos, words, page_of)
        if pos is None:
            return False
    return True


def _take(word: str, pos: int, words: list[str], page_of: list[int]) -> int | None:
    """Consume `word` from position pos (maybe split over lines or a page turn); the next position."""
    rest = word
    while rest:
        if pos < len(words) and words[pos] and rest.startswith(words[pos]):
            rest = rest[len(words[pos]):]
            pos += 1
            continue
        page = page_of[pos - 1] if pos else 0
        later = [j for j in range(pos, min(len(words), pos + 400))
                 if page_of[j] > page and words[j] and rest.startswith(words[j])]
        if not later:
            return None
        pos = later[0]
    return pos


def record_paragraphs():
    """Every paragraph of the two records as the chapter files hold them (numbering removed)."""
    paragraphs = []
    for path in sorted((REPO / "chapters").glob("19*.md")):
        body = path.read_text().split("\n:::\n", 1)[1]
        for para in re.split(r"\n\s*\n", body):
            para = re.sub(r"^\d+\.\s+", "", para.strip())
            if para:
                paragraphs.append(para)
    return paragraphs


def test_every_record_paragraph_is_in_the_pdf(pdf):
    path, pages, labels, result = pdf
    words, page_of = _words_by_page(pages)
    paragraphs = record_paragraphs()
    assert len(paragraphs) >= 50
    missing = [p[:60] for p in paragraphs if not _in_order(p, words, page_of)]
    assert missing == []


def test_page_labels_roman_front_then_arabic_from_the_first_document(pdf):
    path, pages, labels, result = pdf
    first_doc = result.page_map.anchors[f"{result.book.documents[0].id}-title"]
    assert labels[:3] == ["i", "ii", "iii"]
    assert labels[first_doc] == "1"
    assert all(label.isdigit() for label in labels[first_doc:])
    assert "Document 1" in pages[first_doc]


def test_every_note_is_on_the_page_of_its_call(pdf):
    path, pages, labels, result = pdf
    count = 0
    for doc in result.book.all_documents:
        notes = ([doc.source_note] if doc.source_note else []) + doc.notes
        for note in notes:
            call_page = result.page_map.anchors[f"{note.id}-ref"]
            assert result.page_map.anchors[note.id] == call_page
            opening = " ".join(normalise(plain_text(note.blocks[0].inlines)).split()[:6])
            assert opening in normalise(pages[call_page]), (note.id, call_page)
            count += 1
    assert count >= 5


def test_contents_page_numbers_are_right(pdf):
    path, pages, labels, result = pdf
    contents = next(i for i, text in enumerate(pages) if text.strip().split("\n")[0:3] and "Contents" in text
                    and "Sources" in text)
    lines = pages[contents].split("\n")
    checked = 0
    for doc in result.book.documents:
        line = next(l for l in lines if normalise(l).startswith(f"{doc.number}. "))
        label = line.split()[-1]
        page = labels.index(label)
        assert f"Document {doc.number}" in pages[page]
        checked += 1
    intro_line = next(l for l in lines if l.startswith("Introduction"))
    assert "Introduction" in pages[labels.index(intro_line.split()[-1])]
    for title in ("Sources", "Index"):
        line = next(l for l in lines if l.startswith(title))
        assert pages[labels.index(line.split()[-1])].lstrip().split("\n")[0:2] and \
            title in pages[labels.index(line.split()[-1])]
    assert checked == len(result.book.documents)


def test_every_index_locator_names_a_page_that_holds_the_term(pdf, built_reader):
    path, pages, labels, result = pdf
    forms = index_forms(built_reader[0])
    checked = 0
    stack = list(result.book.index)
    while stack:
        entry = stack.pop()
        stack.extend(entry.sub)
        for start, _, end, _ in result.page_map.locators(entry.marks):
            for label in filter(None, (start, end)):
                page = labels.index(label)
                assert any(_on_page(form, pages, page) for form in forms[entry.name]), (entry.name, label)
                checked += 1
    assert checked > 50


def _on_page(form: str, pages: list[str], page: int) -> bool:
    """The form is on the page, or begins at its foot and ends at the top of the next page."""
    text = normalise(pages[page])
    if form in text:
        return True
    following = normalise(pages[page + 1])[:200] if page + 1 < len(pages) else ""
    # split at a space, or inside a word hyphenated across the page break ("so-" / "cialist")
    return any((form[:k] in text or f"{form[:k]}-" in text) and form[k:].strip() in following
               for k in range(len(form) - 1, 1, -1))


def test_index_prints_merged_ranges_sorted_by_key(pdf):
    path, pages, labels, result = pdf
    index_text = "\n".join(t for t in pages if "Index" in t.split("\n")[0:3] or "Khrushchev, Nikita" in t)
    assert re.search(r"\d+[–-]\d+", index_text)
    entries = [e.sort_key for e in result.book.index]
    assert entries == sorted(entries)


def test_the_index_columns_begin_level(pdf):
    """The first letter's heading opens the left column on the line where the right column begins
    (its top margin had set it a line lower than the right column's first entry)."""
    path, pages, labels, result = pdf
    first = next(i for i, t in enumerate(pages) if t.startswith("Index\n")) + 1
    text = subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(first), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [line for line in text.split("\n") if line.strip()]
    assert lines[0].strip() == "Index"
    assert re.fullmatch(r"A\s{8,}\S.*", lines[1]), lines[:3]


def test_the_copyright_page_breaks_no_word_of_its_own(pdf):
    """The copyright page is set ragged without hyphenation: a line ends in a hyphen only where the
    text has one ('Sino-' of 'Sino-Soviet'), never inside a word ('So-viet', 'book-build')."""
    path, pages, labels, result = pdf
    page = next(t for t in pages if "How to cite this reader" in t)
    lines = [line.strip() for line in page.split("\n") if line.strip()]
    config_text = " ".join([result.book.config.title, result.book.config.subtitle or "", result.book.config.rights,
                            result.book.config.publisher])
    for line, following in zip(lines, lines[1:]):
        if line.endswith("-"):
            word = line.split()[-1] + following.split()[0]
            assert word.strip(".,:") in config_text, (line, following)
    assert "bookbuild Course Readers" in " ".join(lines)


def test_every_font_is_embedded_and_is_the_book_font(pdf):
    path = pdf[0]
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.strip().split("\n")[2:]
    assert rows
    for row in rows:
        assert "Source-Serif-4" in row.split()[0] and not row.split()[0].endswith(",")
        assert re.search(r"\byes\s+yes\s+yes\b", row), row


def test_qpdf_finds_no_errors(pdf):
    out = subprocess.run(["qpdf", "--check", str(pdf[0])], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No syntax or stream encoding errors" in out.stdout


def test_metadata_title_author_language_and_bookmarks(pdf):
    reader = PdfReader(pdf[0])
    assert reader.pdf_header == "%PDF-1.7"
    assert "/StructTreeRoot" in reader.trailer["/Root"] and reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Tibet, India")
    assert reader.metadata.author == "The bookbuild Editors"
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-US"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert any("Document 1" in t for t in titles) and "Index" in titles


def test_documents_open_on_right_hand_pages_and_blank_versos_are_blank(pdf):
    path, pages, labels, result = pdf
    for doc in result.book.documents:
        index = result.page_map.anchors[f"{doc.id}-title"]
        assert index % 2 == 0, doc.id        # PDF page 1 is a recto: even indexes are rectos
        if index and "Document" not in pages[index - 1] and pages[index - 1].strip() == "":
            continue
    blanks = [i for i, t in enumerate(pages) if not t.strip()]
    assert all(i % 2 == 1 for i in blanks)


def test_the_folio_printed_on_each_page_is_its_page_label(pdf):
    """What the reader sees at the corner of the page is what the viewer and the index call it."""
    path, pages, labels, result = pdf
    checked = 0
    for text, label in zip(pages, labels):
        if not text.strip() or label in ("i", "iii"):      # blank pages; half-title and title have none
            continue
        lines = [line.strip() for line in text.strip().split("\n")]
        tokens = lines[0].split() + lines[-1].split() if len(lines) > 1 else lines[0].split()
        if label == "iv":                                   # the copyright page has none either
            continue
        assert label in tokens, (label, lines[0], lines[-1])
        checked += 1
    assert checked == len([t for t in pages if t.strip()]) - 3      # all but half-title, title, copyright


def test_persons_and_terms_lists_in_the_front_matter(pdf):
    path, pages, labels, result = pdf
    persons = next(i for i, t in enumerate(pages) if t.startswith("Persons"))
    assert labels[persons] in ("v", "vi", "vii", "viii", "ix", "x", "xi") or not labels[persons].isdigit()
    text = normalise(" ".join(pages[persons:persons + 4]))
    assert "Khrushchev, Nikita S. (1894 1971) First Secretary" in text
    terms = next(i for i, t in enumerate(pages) if t.startswith("Abbreviations and Terms"))
    assert "TASS Telegrafnoe agentstvo Sovetskogo Soiuza" in normalise(" ".join(pages[terms:terms + 2]))
    contents = next(t for t in pages if t.startswith("Contents"))
    assert re.search(rf"Persons {labels[persons]}\b", contents)
    assert re.search(rf"Abbreviations and Terms {labels[terms]}\b", contents)


def test_hyphenated_words_are_found_by_a_search_of_the_pdf(pdf):
    """A word broken at a line end carries the text's own hyphen: the PDF's text never maps the
    font's hyphen back to U+2010, so a reader's search for 'General-Secretary' finds every one."""
    path, pages, labels, result = pdf
    text = "\n".join(pages)
    assert "\u2010" not in text
    sources = "".join(p.read_text() for p in (REPO / "chapters").glob("*.md"))
    assert len(re.findall(r"General-\s*Secretary", text)) >= sources.count("General-Secretary") > 0


def test_parts_merged_into_one_tagged_document_with_working_links(pdf):
    """Each part is laid out and written on its own; the merge must leave one structure tree whose
    parent-tree keys every page and link uses, every internal link resolved, one subset a name."""
    import pikepdf
    document_titles = {f"{doc.id}-title" for doc in pdf[3].book.documents}
    with pikepdf.open(pdf[0]) as book:
        tree = book.Root.StructTreeRoot
        assert len(tree.K) == 1 and tree.K[0].S == "/Document"
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert len(keys) == len(set(keys))
        used, names = [], {str(n) for n in book.Root.Names.Dests.Names[::2]}
        links_between_parts = 0
        for page in book.pages:
            if "/StructParents" in page.obj:
                used.append(int(page.obj.StructParents))
            else:           # a blank verso: nothing on it to tag
                assert b"/MCID" not in page.obj.Contents.read_bytes() and "/Annots" not in page.obj
            for annotation in page.obj.get("/Annots", []):
                used.append(int(annotation.StructParent))
                if "/Dest" in annotation:
                    assert str(annotation.Dest) in names
                    # the contents (front matter) to a document's title (a part of its own)
                    links_between_parts += str(annotation.Dest) in document_titles
                else:
                    assert not str(annotation.A.URI).startswith("bookbuild-part:")
        assert len(used) == len(set(used)) and set(used) <= set(keys)
        assert links_between_parts >= 2
        # every kid of the document element points back at it
        assert all(kid.P.objgen == tree.K[0].objgen for kid in tree.K[0].K)
        # one subset a name: the fonts of the pages and of the forms on them (the folios stamped)
        fonts = {}

        def collect(resources):
            for font in resources.get("/Font", {}).values():
                stream = font.DescendantFonts[0].FontDescriptor.FontFile2
                fonts.setdefault(str(font.BaseFont), set()).add(stream.objgen)
            for form in resources.get("/XObject", {}).values():
                if "/Resources" in form:
                    collect(form.Resources)
        for page in book.pages:
            collect(page.obj.Resources)
        assert all(len(streams) == 1 for streams in fonts.values()), fonts
        assert len(fonts) > 3                                  # the faces of the text and the folios'


def test_marked_content_owned_by_its_elements_without_empty_spans(pdf):
    """tags.lean hands the marked content of WeasyPrint's attribute-less Spans to the element above
    them: every MCID on every page must still be owned (parent tree) by an element that holds it
    (a number on the element's page, or a reference naming the page), and no plain Span is left."""
    import pikepdf
    with pikepdf.open(pdf[0]) as book:
        nums = book.Root.StructTreeRoot.ParentTree.Nums
        owners = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        checked = 0
        for page in book.pages:
            content = b"".join(s.read_bytes() for s in ([page.obj.Contents] if isinstance(
                page.obj.Contents, pikepdf.Stream) else page.obj.Contents))
            mcids = {int(m) for m in re.findall(rb"/MCID (\d+)", content)}
            # Forms drawn on the page (the stamped folios) are artifacts: no MCID would find its element.
            forms = page.obj.Resources.get("/XObject", {})
            assert not any(b"/MCID" in forms[name].read_bytes() for name in forms.keys()
                           if forms[name].get("/Subtype") == "/Form")
            if not mcids:
                continue
            elements = owners[int(page.obj.StructParents)]
            assert len(elements) > max(mcids)
            for mcid in mcids:
                element = elements[mcid]
                kids = list(element.K) if isinstance(element.K, pikepdf.Array) else [element.K]
                held = any((isinstance(k, int) and k == mcid and element.Pg.objgen == page.obj.objgen) or
                           (isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR" and int(k.MCID) == mcid
                            and k.get("/Pg", element.get("/Pg")).objgen == page.obj.objgen) for k in kids)
                assert held, (page.index, mcid, str(element.S))
                checked += 1
        assert checked > 500
        # Plain Spans stay only where content may not stand directly: under grouping elements.
        grouping = {"/Document", "/Part", "/Art", "/Sect", "/Div", "/NonStruct", "/L", "/LI", "/Table", "/TR",
                    "/TBody", "/THead", "/TFoot", "/BlockQuote", "/TOC", "/TOCI", "/Index", "/Private"}
        stack, plain, kept = [book.Root.StructTreeRoot.K[0]], 0, 0
        while stack:
            element = stack.pop()
            for kid in (list(element.K) if isinstance(element.get("/K"), pikepdf.Array) else []):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/Span" and set(kid.keys()) <= {"/Type", "/S", "/P", "/K", "/Pg"}:
                        plain += str(element.S) not in grouping
                        kept += str(element.S) in grouping
                    stack.append(kid)
        assert plain == 0 and kept < checked / 4


def test_all_tagged_content_is_in_the_structure_tree_and_the_margins_are_artifacts(pdf):
    """Every element that owns marked content is reached from the structure root (WeasyPrint tags
    what the margin boxes draw in elements that no element holds), and the running heads and
    folios are drawn as artifacts, as PDF/UA asks of page furniture."""
    import pikepdf
    with pikepdf.open(pdf[0]) as book:
        root = book.Root.StructTreeRoot
        in_tree, stack = set(), [root.K[0]]
        while stack:
            element = stack.pop()
            in_tree.add(element.objgen)
            stack += [k for k in (list(element.K) if isinstance(element.get("/K"), pikepdf.Array) else [element.get("/K")])
                      if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        nums = root.ParentTree.Nums
        owners = [owner for i in range(1, len(nums), 2)
                  for owner in (list(nums[i]) if isinstance(nums[i], pikepdf.Array) else [nums[i]])
                  if isinstance(owner, pikepdf.Dictionary)]
        assert len(owners) > 500
        assert [str(o.S) for o in owners if o.objgen not in in_tree] == []
        # Nothing else holds the parts' own trees: one root, one document element in the file.
        kinds = [str(o.get("/Type")) + str(o.get("/S", "")) for o in book.objects if isinstance(o, pikepdf.Dictionary)]
        assert kinds.count("/StructTreeRoot") == 1 and kinds.count("/StructElem/Document") == 1
    # A page of a record: its text tagged, its running head (the document's title) an artifact
    # in the page's own content (the folio is one in the form stamped on it).
    page = pdf_labels(pdf[0]).index("2")
    with pikepdf.open(pdf[0]) as book:
        content = b"".join(s.read_bytes() for s in ([book.pages[page].obj.Contents] if isinstance(
            book.pages[page].obj.Contents, pikepdf.Stream) else book.pages[page].obj.Contents))
    assert b"/MCID" in content and b"/Artifact BMC" in content
