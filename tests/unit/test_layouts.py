"""Layouts.foresee (render/layouts.py): after an edit, the one new part's text goes to the ready
process before the rest of what precedes its layout, and sequence() takes that outcome rather
than laying the part out again. A ready process of the test's own records what it is sent."""

from bookbuild import cache, config as config_mod
from bookbuild.render.layouts import Layouts, _placed, _text
from bookbuild.render.typesetter import Part


class _Ready:
    """What the ready process is sent, and a Part for each job, answered in the order sent."""

    started = True

    def __init__(self):
        self.sent: list[tuple] = []
        self._waiting: list[tuple] = []

    def send(self, job, book, make) -> bool:
        self.sent.append(job)
        self._waiting.append(job)
        return True

    def receive(self):
        function, spec, *_ = self._waiting.pop(0)
        part = Part(pdf=f"{spec[2]} by {function.__name__}".encode(), pages=1, anchors={spec[2]: 0},
                    starts=[], short=[], overflows=[], repaired=0, bookmarks=[])
        return (part, False) if function is _placed else part

    def run(self, job, book, make):
        self.send(job, book, make)
        return self.receive()


SPECS = [("document", 0, "kept"), ("document", 1, "edited")]


def _layouts(project, tmp_path, ready) -> Layouts:
    """Layouts whose store holds the first part's layout at page 1: after an edit of the second."""
    config = config_mod.load(project)
    layouts = Layouts(config, None, None, cache.Store(tmp_path / "store"), jobs=2, ready=ready)
    kept = Part(pdf=b"kept", pages=1, anchors={"kept": 0}, starts=[], short=[], overflows=[], repaired=0,
                bookmarks=[])
    name = layouts._name("<p>kept</p>")
    layouts.store.put_pages(name, 1)
    layouts.store.put(layouts._key(name, 1), kept.pdf, kept.facts())
    return layouts


def test_the_one_new_part_is_sent_before_the_sequence_and_laid_out_once(project, tmp_path):
    ready = _Ready()
    layouts = _layouts(project, tmp_path, ready)
    markups = ["<p>kept</p>", "<p>edited</p>"]
    layouts.foresee(lambda: (SPECS, markups), {})
    assert ready.sent == [(_text, SPECS[1], {})]
    placed = layouts.sequence(SPECS, markups, {})
    assert [function.__name__ for function, *_ in ready.sent] == ["_text", "_placed"]
    assert [(start, part.pdf) for start, part in placed] == [(1, b"kept"), (3, b"edited by _placed")]
    assert layouts.laid_out == 1 and layouts.reused == 1


def test_a_foreseen_outcome_not_asked_for_is_set_aside(project, tmp_path):
    """A job names its part by spec and context (the markup is made from them where it is laid
    out): another context is another job."""
    ready = _Ready()
    layouts = _layouts(project, tmp_path, ready)
    markups = ["<p>kept</p>", "<p>edited</p>"]
    layouts.foresee(lambda: (SPECS, markups), {})
    placed = layouts.sequence(SPECS, markups, {"a-target": "3"})
    assert [(function.__name__, arguments[0]) for function, _, *arguments in ready.sent] == [
        ("_text", {}), ("_text", {"a-target": "3"}), ("_placed", 3)]
    assert placed[1][1].pdf == b"edited by _placed"


def test_nothing_is_foreseen_with_two_new_parts_or_no_ready_process(project, tmp_path):
    ready = _Ready()
    layouts = _layouts(project, tmp_path, ready)
    layouts.foresee(lambda: (SPECS, ["<p>new</p>", "<p>edited</p>"]), {})
    assert ready.sent == []
    ready.started = False
    layouts = _layouts(project, tmp_path, ready)

    def plan():
        raise AssertionError("the plan is made only for a ready process")
    layouts.foresee(plan, {})
    assert ready.sent == []
