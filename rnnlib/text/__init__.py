"""Text: tokenising, vocabularies, the generated corpus and count-based word embeddings."""
