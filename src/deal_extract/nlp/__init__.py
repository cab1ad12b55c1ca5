"""The spaCy side: the base model, its faster rule components, deal-extract's components and Doc
extensions, and the pipeline that assembles them."""
