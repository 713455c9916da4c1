"""Renderers: the model to XHTML (html), to a print PDF (pdf), to an EPUB package (epub)."""
