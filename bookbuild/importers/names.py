"""Names in a record's title: the participants it names, and the words of a chapter's file name."""

from __future__ import annotations

import re
import unicodedata

# Words of office, rank and party that precede a name in archive titles ("CC CCP Chairman Mao Zedong").
_OFFICE = set("""
chairman chairwoman chair deputy vice member members politburo secretariat secretary general minister
ministry foreign premier president prime ambassador comrade comrades marshal leader leaders head chief
director representative representatives delegation party committee central government embassy consul
counselor counsellor envoy charge d'affaires attache officials official state council chancellor
governor senator mayor commander colonel major captain lieutenant admiral king queen prince princess
emperor shah sheikh sultan pope professor acting assistant adviser advisor first second third
presidium supreme affairs defense defence staff republic people's peoples mr mrs ms dr sir
comrade-in-arms secretary-general general-secretary vice-premier vice-chairman vice-president
""".split())
_NATIONALITY = set("""
soviet russian chinese indian american british french german polish hungarian czechoslovak
czechoslovakian romanian bulgarian albanian yugoslav korean vietnamese japanese cuban mongolian
italian israeli egyptian iranian pakistani indonesian laotian cambodian burmese nepalese tibetan
finnish swedish austrian canadian turkish greek spanish dutch belgian norwegian danish ukrainian
north south east west
""".split())
_PARTICLES = {"de", "da", "di", "du", "van", "von", "der", "den", "la", "le", "bin", "ibn", "al", "el"}
_PREPOSITIONS = {"to", "of", "in", "for", "at", "from"}
# Family name first: a name starting with one of these is written surname-first (Mao Zedong, Kim Il Sung).
_EAST_ASIAN_SURNAMES = set("""
mao zhou liu zhu lin peng chen wang deng kim li lee park pak ho pham le nguyen choe choi kang zhang
yang huang zhao wu sun hu guo gao luo zheng liang xie song tang xu han feng dong xiao cheng cao yuan
fu shen zeng lu su jiang cai jia ding wei xue ye yan yu pan du dai xia zhong tian ren fan fang shi
yao tan liao zou xiong jin hao kong bai cui qiu qin gu hou shao meng long wan duan qian yin qiao
lai gong wen ri yun chong vo truong ji
""".split())

_ACT = r"(?:conversations?|talks?|meetings?|discussions?|interview)"
_TEXT = r"(?:journal|diary|entry|letter|telegram|cable|message|memorandum|note|notes|report|minutes|record)"
_KIND = rf"(?:{_ACT}|{_TEXT})"
_NOT_KIND = rf"(?!(?:the\s+)?{_KIND}\b)"            # "Entry from the Journal of X": X, not "the Journal"
_LIST_END = (r"(?=\s+(?:on|about|regarding|concerning|during|at|in|over|after|before)\s"
             r"|[,;:(]\s*(?:on|about|regarding)\b|[;:(]|$)")
# Where titles name people: "Conversation of A with B, C and D", "Conversation between A and B",
# "Journal of A", "Letter from A to B", "A's Conversation with B".
_SEGMENTS = [re.compile(pattern, re.I) for pattern in (
    rf"\b{_ACT}\s+(?:of|by)\s+{_NOT_KIND}(?P<one>.+?)\s+with\s+(?P<list>.+?){_LIST_END}",
    rf"\b{_ACT}\s+between\s+(?P<list>.+?){_LIST_END}",
    rf"\b{_ACT}\s+with\s+(?P<list>.+?){_LIST_END}",
    rf"\b(?:journal|diary)\s+of\s+{_NOT_KIND}(?P<one>[^,;:(]+)",
    rf"\b{_TEXT}\s+from\s+{_NOT_KIND}(?P<one>.+?)(?:\s+to\s+(?P<list>.+?))?{_LIST_END}",
)] + [re.compile(rf"(?P<one>(?:[A-Z][\w.'-]*\s+){{0,3}}[A-Z][\w.-]*)['\u2019]s\s+(?i:{_KIND})\b")]


def participants(title: str) -> tuple[list[str], list[str]]:
    """Names the title gives as taking part, in title order, and notes on words that look truncated."""
    names: list[str] = []
    notes: list[str] = []
    for pattern in _SEGMENTS:
        for match in pattern.finditer(title):
            groups = match.groupdict()
            items = ([groups["one"]] if groups.get("one") else []) + _split_list(groups.get("list") or "")
            for item in items:
                name = _name(item, notes)
                if name and name not in names:
                    names.append(name)
    return _in_title_order(names, title), notes


def _split_list(text: str) -> list[str]:
    return [item for item in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", text) if item.strip()]


def _in_title_order(names: list[str], title: str) -> list[str]:
    return sorted(names, key=lambda name: title.find(name))


def _name(item: str, notes: list[str]) -> str | None:
    """The name at the end of 'CC CCP Chairman Mao Zedong': the tokens after the last non-name."""
    tokens = item.split()
    name: list[str] = []
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if previous.lower() in _PREPOSITIONS or not _is_name_token(token, following):
            name = []
        elif _is_office(previous) and (office := _truncated_office(token)):
            notes.append(f"title word '{token}' looks like a truncated '{office}'; kept verbatim")
            name = []
        else:
            name.append(token.rstrip(",;:"))
    name = name[-4:]
    if name and re.sub(r"['\u2019]s$", "", name[-1]) != name[-1]:
        name[-1] = re.sub(r"['\u2019]s$", "", name[-1])
    if not any(len(t) > 1 and not _is_initial(t) for t in name):
        return None
    return " ".join(name)


def _is_name_token(token: str, following: str) -> bool:
    bare = re.sub(r"['\u2019]s$", "", token.strip(",;:()"))
    if not bare or re.search(r"\d", bare):
        return False
    if bare in _PARTICLES:
        return following[:1].isupper()                 # "de Gaulle", not "de" alone
    if _is_initial(bare):
        return True
    return bare[0].isupper() and not _is_office(bare)


def _is_office(token: str) -> bool:
    """An office, rank, nationality or acronym (CC, CCP, CPSU): words that precede a name."""
    bare = token.strip(",;:()")
    if bare.isupper() and len(bare) > 1 and bare.isalpha():
        return True
    parts = bare.rstrip(".").lower().split("-")
    return all(part in _OFFICE or part in _NATIONALITY for part in parts)


def _truncated_office(token: str) -> str | None:
    """'Chairma' -> 'chairman': archive titles sometimes lose a letter of an office."""
    word = token.strip(",;:").lower()
    if len(word) < 5:
        return None
    for office in sorted(_OFFICE):
        if office.startswith(word) and 0 < len(office) - len(word) <= 2:
            return office
    return None


def _is_initial(token: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+(?:-[A-Z]\.)?", token))


def family_name(name: str) -> str:
    tokens = [t for t in name.split() if not _is_initial(t)]
    if not tokens:
        return name
    surname_first = tokens[0].lower() in _EAST_ASIAN_SURNAMES and len(tokens) == len(name.split())
    if surname_first and len(tokens) in (2, 3):
        return tokens[0]
    if len(tokens) > 1 and tokens[-2] in _PARTICLES:
        return " ".join(tokens[-2:])                    # "de Gaulle"
    return tokens[-1]


_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t",
    "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"]))


def slug_word(text: str) -> str:
    """ASCII slug of a word or phrase: diacritics dropped, Cyrillic transliterated, others omitted."""
    text = "".join(_CYRILLIC.get(char, char) for char in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


_TITLE_STOP = _OFFICE | _NATIONALITY | _PREPOSITIONS | {"the", "a", "an", "and", "with", "by", "on",
                                                      "between", "about", "regarding", "concerning"}


def key_words(title: str, names: list[str]) -> list[str]:
    """1-3 words for a file name: the family names of the first two participants, else title words."""
    if names:
        return [slug_word(family_name(name)) for name in names[:2]]
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", title)
             if w.lower() not in _TITLE_STOP and not re.fullmatch(_KIND, w, re.I)]
    return [slug_word(w) for w in words[:3]]


SHORT_TITLE = 60        # characters: what a running head and a contents line hold (check's A008)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def short_title(title: str, names: list[str], date: str | None) -> str | None:
    """A running-head title for a long archive title: "Khrushchev and Mao, 2 October 1959"."""
    if len(title) <= SHORT_TITLE:
        return None
    when = _day_month_year(date)
    if names:
        families = [family_name(name) for name in names[:2]]
        head = f"{families[0]}, {families[1]} and others" if len(names) > 2 else " and ".join(families)
    else:
        head = title[: SHORT_TITLE - 16].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"{head}, {when}" if when else head


def _day_month_year(date: str | None) -> str | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", date or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return match.group(1) if match else None
    year, month, day = match.group(1), _MONTHS[int(match.group(2)) - 1], match.group(3)
    return f"{int(day)} {month} {year}" if day else f"{month} {year}"
