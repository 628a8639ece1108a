"""Article language comes from the text, not only from the page's claim."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from extractors.article import extract_article, text_language

EXTRACTION = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "extraction"
ENGLISH = ("Anthropic released a new version of its Claude model on Tuesday and said it would cut the price "
           "of its API for developers who build agents. ")


def test_short_or_unsure_text_keeps_the_declared_language():
    assert text_language("Kurz.", declared="de-DE") == "de"
    assert text_language("", declared=None) is None


def test_long_text_speaks_for_itself():
    assert text_language(ENGLISH * 3, declared="en-GB") == "en"
    assert text_language(ENGLISH * 3, declared="fr") == "en"


@pytest.mark.corpus
def test_fundus_pages_that_declare_english_but_are_not():
    manifest = EXTRACTION / "manifest.jsonl"
    if not manifest.exists():
        pytest.skip(f"{manifest} is absent (../shared/corpora is not beside the repository)")
    pages = [json.loads(line) for line in manifest.read_text().splitlines()]
    fundus = [p for p in pages if p["corpus"] == "fundus" and p.get("text_lang")]
    assert len([p for p in fundus if p["text_lang"] != "en"]) == 6
    right = wrong = 0
    for page in fundus:
        html = gzip.decompress((EXTRACTION / page["file"]).read_bytes())
        try:
            article = extract_article(html, page["url"])
        except Exception:  # noqa: BLE001 - pages with too little text are not this test's concern
            continue
        if article.language == page["text_lang"]:
            right += 1
        else:
            wrong += 1
            # every non-English page is caught
            assert page["text_lang"] == "en", (page["file"], article.language)
    assert right / (right + wrong) >= 0.95
