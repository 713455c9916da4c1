import io

from bookbuild.progress import Progress


def test_bar_and_timings_go_to_the_stream():
    out = io.StringIO()
    progress = Progress(bar=True, verbose=True, stream=out)
    with progress.stage("lay out the PDF"):
        progress.document(1, 2, "Khrushchev and Mao")
        progress.document(2, 2, "")
    text = out.getvalue()
    assert "[###############...............] 1/2 Khrushchev and Mao" in text
    assert "2/2" in text and "lay out the PDF" in text and progress.timings[0][0] == "lay out the PDF"


def test_quiet_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert Progress.for_terminal(verbose=False).bar is False
