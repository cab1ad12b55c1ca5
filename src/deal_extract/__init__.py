"""deal-extract: structured, auditable deal records from life-science business news.

Load the pipeline once, then extract from texts or files::

    import deal_extract

    extractor = deal_extract.load()                    # or load(model="en_core_web_sm", patterns="my_patterns/")
    result = extractor.extract_file("corpus/article.txt")
    for deal in result.deals:
        print([p.name for p in deal.partners], deal.deal_types, deal.evidence.text)

    result = extractor.extract_text(text, source="note.txt")   # pydantic ArticleResult
    for result in extractor.pipe(articles, n_process=2): ...

The spaCy components are registered as factories (``deal_extract_org_ruler``,
``deal_extract_organisations``, ``deal_extract_cues``, ``deal_extract_deals``) and exposed
through the ``spacy_factories`` entry point.
"""

from deal_extract.api import Extractor, load
from deal_extract.text.reading import Article, InputError
from deal_extract.records import ArticleResult, Deal, Evidence, Organisation, Party, Value

__version__ = "0.1.0"

__all__ = ["Extractor", "load", "Article", "InputError", "ArticleResult", "Deal", "Evidence",
           "Organisation", "Party", "Value", "__version__"]
