"""text/linebreaks.py: sentence starts set before the parser (invented sentences)."""

from __future__ import annotations


def _partner_sets(extractor, text: str) -> list[list[str]]:
    record = extractor.extract_text(text, source="invented.txt")
    return sorted(sorted(p.name for p in d.partners) for d in record.deals)


def test_a_name_opening_a_paragraph_is_not_cut_into_sentences(extractor):
    """text/linebreaks.py: with a sentence start preset at a paragraph's first word, the parser
    cut "Orvane" | "Bio" | "and Kestrel University signed ..." (no sentence starts at a
    lower-case word, nor inside the capitalised run that opens a line)."""
    doc = extractor.nlp("News\n\nOrvane Bio and Kestrel University signed a memorandum of understanding on Monday.\n")
    assert [s.text.strip() for s in doc.sents][1:] == [
        "Orvane Bio and Kestrel University signed a memorandum of understanding on Monday."]
    assert _partner_sets(extractor, "News\n\nOrvane Bio and Kestrel University signed a memorandum of "
                                    "understanding on Monday.\n") == [["Kestrel University", "Orvane Bio"]]

