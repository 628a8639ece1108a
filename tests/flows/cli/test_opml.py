from __future__ import annotations

import pytest

from flows.cli.opml import FeedListError, feeds_from_opml, feeds_to_opml, feeds_to_toml
from flows.settings import load_feeds
from warehouse.records import FeedSpec

FEEDS = [FeedSpec('Lab "Notes" & More', "https://lab.example/feed.xml?x=1&y=2", ("ai", "labs")),
         FeedSpec("Ministère du numérique", "https://gov.example/rss", (), "State")]


def test_opml_round_trip_keeps_names_urls_and_tags():
    back = feeds_from_opml(feeds_to_opml(FEEDS))
    assert [(f.name, f.url, f.tags) for f in back] == [(f.name, f.url, f.tags) for f in FEEDS]


def test_toml_written_for_a_feeds_file_reads_back(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text(feeds_to_toml(FEEDS), encoding="utf-8")
    assert load_feeds(path) == FEEDS


def test_opml_folders_become_tags_and_non_http_links_are_dropped():
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body><outline text="Policy">
      <outline text="A" xmlUrl="https://a.example/f.xml"/><outline text="B" xmlUrl="file:///etc/passwd"/>
      </outline></body></opml>"""
    (feed,) = feeds_from_opml(opml)
    assert (feed.name, feed.url, feed.tags) == ("A", "https://a.example/f.xml", ("Policy",))


def test_garbage_is_a_clear_error():
    with pytest.raises(FeedListError):
        feeds_from_opml(b"this is not xml at all <<<")
