"""NLP extractor: article text in, canonical entity mentions and typed events out (pure, no I/O but config).

Public API:
    load_pipeline(config_dir) -> spacy.Language
    annotate(nlp, [(text, published), ...], batch_size=32) -> Iterator[Annotation]
    EXTRACTOR_VERSION
"""

from .annotate import EXTRACTOR_VERSION, annotate
from .pipeline import load_pipeline

__all__ = ["EXTRACTOR_VERSION", "annotate", "load_pipeline"]
