"""Text preparation: reading files and feeds, decoding, normalisation with an offset map, markup,
article structure, chunking and language, before and at the start of the spaCy pipeline."""
