"""Shared fixtures for the extractor tests: one spaCy pipeline per test session (loading takes ~2 s)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "config"
CORPORA_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpora"


@pytest.fixture(scope="session")
def nlp():
    from extractors.nlp import load_pipeline

    return load_pipeline(CONFIG_DIR)


@pytest.fixture(scope="session")
def annotate_one(nlp):
    """annotate_one(text, published=None) -> Annotation for a single text."""
    from extractors.nlp import annotate

    def run(text: str, published: date | None = None):
        return next(annotate(nlp, [(text, published)]))

    return run
