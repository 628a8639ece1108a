"""Near-duplicate stories: one story per piece of reporting, however many outlets carry it.

Pure: article text and stored signatures in, story assignments out (no DB, no network).

How two articles are judged to be copies of one story
-----------------------------------------------------
1. Text is lower-cased and split into words; every run of ``shingle_size`` consecutive words
   is a shingle. Words are hashed with CRC-32 and combined into a 32-bit shingle hash --
   stable across processes (unlike ``hash()``), so stored signatures stay comparable.
2. A datasketch ``MinHash`` (``num_perm`` permutations, 32-bit affine scheme) summarises the
   shingle set. Its hash values are stored per article, so history is never re-hashed.
3. Banding (LSH): the signature is cut into ``lsh_bands`` bands of ``lsh_rows`` values and each
   band is hashed to a 63-bit key; two articles sharing any key are candidates. A pair with
   Jaccard s collides with probability 1 - (1 - s^rows)^bands. The warehouse stores the keys,
   so finding candidates among stored articles is a join, not a scan of history.
4. A candidate is accepted when its estimated Jaccard similarity reaches ``min_jaccard``, or
   when the shorter text is almost entirely contained in the longer one (``min_containment``:
   truncated copies and feed-only texts), provided the shorter has at least
   ``min_shingles_for_containment`` shingles. Texts under ``min_shingles`` never match.

Chosen by measurement (``bench/stories_signals.py --calibrate`` prints it again) on the pairs
in ``tests/extractors/test_stories.py``, 40 seeds each. Exact Jaccard at k=3: syndicated copy
0.77, light rewrite 0.50, copy vs rewrite 0.48, three-paragraph lead 0.44 (containment 1.00);
different stories: next-day follow-up reusing two background paragraphs 0.18-0.20 (containment
0.38), another export-control story 0.07, independent reporting of the same decision 0.03.
k=3 keeps rewrites highest relative to the rest (k=5: rewrite 0.40, follow-up 0.16). MinHash
estimates with 128 permutations: same-story minimum 0.38, different-story maximum 0.29; with 64
they nearly meet (0.31 vs 0.27), with 256 they part a little more (0.41 vs 0.25) at twice the
cost. ``min_jaccard`` = 0.33 puts the threshold about 3.5 standard errors from both the
follow-up (J 0.20, sd 0.035) and the rewrite (J 0.48, sd 0.044). Containment (estimated): a
truncated copy at least 0.89, different stories at most 0.53, so 0.70. 64 bands x 2 rows
make a pair at the threshold a candidate with probability 0.999 (0.93 at J = 0.2, where the
containment path can still catch a truncated copy).

Candidate window: an article is only compared with articles published within ``window``
(14 days by default) of it, so the lookup touches a bounded slice of history and a story that
resurfaces a month later (an anniversary piece reusing wire paragraphs) starts a new story.

Story identity: a story's id is the article_id of its first stored member and never changes.
A new article joins the story of its most similar accepted candidate; stories are never merged
afterwards, even when a later article resembles two of them (ids stay stable).
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain

import numpy as np
from datasketch import MinHash

__all__ = [
    "ArticleSignature",
    "NewArticle",
    "StoredSignature",
    "StoryAssignment",
    "StoryParams",
    "band_keys",
    "estimated_similarity",
    "shingle_hashes",
    "sign_article",
    "sign_articles",
    "story_assignments",
]

_SCHEME = "affine32"  # datasketch's 32-bit scheme: 4 bytes per permutation in storage
_DTYPE = np.dtype("<u4")
_WORD = re.compile(r"\w+", re.UNICODE)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


@dataclass(frozen=True)
class StoryParams:
    """Every knob of story clustering; ``scheme_id`` names the ones that shape stored data."""

    shingle_size: int = 3
    num_perm: int = 128
    seed: int = 1
    lsh_bands: int = 64
    lsh_rows: int = 2
    min_jaccard: float = 0.33
    min_containment: float = 0.70
    min_shingles: int = 8
    min_shingles_for_containment: int = 40
    window: timedelta = timedelta(days=14)

    def __post_init__(self) -> None:
        if self.lsh_bands * self.lsh_rows > self.num_perm:
            raise ValueError("lsh_bands * lsh_rows must not exceed num_perm")
        if self.shingle_size < 1:
            raise ValueError("shingle_size must be at least 1")

    @property
    def scheme_id(self) -> str:
        """Signatures and band keys made under another scheme_id are not comparable with these."""
        return (f"minhash-{_SCHEME}-w{self.shingle_size}-p{self.num_perm}-s{self.seed}"
                f"-b{self.lsh_bands}x{self.lsh_rows}")


@dataclass(frozen=True)
class NewArticle:
    """An article to place in a story. ``published_at`` is the feed/page date, else first seen."""

    article_id: str
    published_at: datetime
    text: str


@dataclass(frozen=True)
class ArticleSignature:
    """What is stored per article so it can be matched later without its text."""

    article_id: str
    published_at: datetime
    shingles: int  # distinct shingles, for the containment estimate
    hashvalues: bytes  # num_perm little-endian uint32 MinHash values


@dataclass(frozen=True)
class StoredSignature:
    """A signature already placed in a story (index state read back from storage)."""

    signature: ArticleSignature
    story_id: str


@dataclass(frozen=True)
class StoryAssignment:
    """Where a new article went and why.

    ``matched`` is the most similar earlier member (None when the article starts a story);
    ``known`` is True when the article was already in the index and kept its story.
    """

    article_id: str
    story_id: str
    signature: ArticleSignature
    matched: str | None = None
    jaccard: float = 0.0
    containment: float = 0.0
    known: bool = False

    @property
    def new_story(self) -> bool:
        return self.matched is None and not self.known


class _Shingler:
    """Word hashes are cached per batch: news vocabulary repeats, CRC-32 calls add up."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.words: dict[str, int] = {}

    def hashes(self, text: str) -> np.ndarray:
        words = _WORD.findall(text.lower())
        if not words:
            return np.empty(0, dtype=np.uint32)
        cache = self.words
        for w in set(words).difference(cache):
            cache[w] = zlib.crc32(w.encode("utf-8"))
        wh = np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))
        k = min(self.size, len(words))  # a text shorter than one shingle is one shingle
        n = len(words) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        for i in range(k):  # order-sensitive mix of k word hashes (uint64 arithmetic wraps)
            h = (h ^ wh[i:i + n]) * _GOLDEN
            h ^= h >> np.uint64(29)
        return np.unique((h >> np.uint64(32)).astype(np.uint32))


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """Distinct 32-bit hashes of the ``size``-word shingles of ``text``."""
    return _Shingler(size).hashes(text)


def _identity(value: int) -> int:
    return value


class _Hasher:
    """One set of permutations for every MinHash made here (datasketch would redraw them per object)."""

    def __init__(self, params: StoryParams) -> None:
        self.params = params
        self.shingler = _Shingler(params.shingle_size)
        self.permutations = MinHash(num_perm=params.num_perm, seed=params.seed, scheme=_SCHEME).permutations

    def sign(self, article: NewArticle) -> ArticleSignature:
        hashes = self.shingler.hashes(article.text)
        m = MinHash(num_perm=self.params.num_perm, seed=self.params.seed, hashfunc=_identity,
                    permutations=self.permutations, scheme=_SCHEME)
        if hashes.size:
            m.update_batch(hashes.tolist())
        return ArticleSignature(article.article_id, article.published_at, int(hashes.size),
                                m.hashvalues.astype(_DTYPE).tobytes())


def sign_article(article: NewArticle, params: StoryParams = StoryParams()) -> ArticleSignature:
    """The MinHash signature of one article's text."""
    return _Hasher(params).sign(article)


def sign_articles(
    articles: Sequence[NewArticle], params: StoryParams = StoryParams()
) -> list[ArticleSignature]:
    """Signatures of many articles, in input order (shares permutations and the word cache)."""
    hasher = _Hasher(params)
    return [hasher.sign(a) for a in articles]


def _values(sig: ArticleSignature, params: StoryParams) -> np.ndarray:
    values = np.frombuffer(sig.hashvalues, dtype=_DTYPE)
    if values.size != params.num_perm:
        raise ValueError(f"signature of {sig.article_id} has {values.size} values, "
                         f"expected {params.num_perm}; it was made under another scheme")
    return values


def band_keys(sig: ArticleSignature, params: StoryParams = StoryParams()) -> list[int]:
    """The LSH band keys of a signature: ``lsh_bands`` signed 63-bit ints ([] below ``min_shingles``)."""
    if sig.shingles < params.min_shingles:
        return []
    bands = _values(sig, params)[: params.lsh_bands * params.lsh_rows].astype(np.uint64)
    bands = bands.reshape(params.lsh_bands, params.lsh_rows)
    # The band's index is mixed in, so equal values in different bands never collide.
    h = np.arange(1, params.lsh_bands + 1, dtype=np.uint64) * _MIX
    for r in range(params.lsh_rows):
        h = (h ^ bands[:, r]) * _GOLDEN
        h ^= h >> np.uint64(31)
    return [int(x) for x in (h >> np.uint64(1)).astype(np.int64)]


def estimated_similarity(a: ArticleSignature, b: ArticleSignature) -> tuple[float, float]:
    """(Jaccard, containment of the smaller shingle set in the larger), both estimated.

    With J = |A∩B| / |A∪B| and both set sizes known, |A∩B| = J (|A| + |B|) / (1 + J).
    """
    va, vb = np.frombuffer(a.hashvalues, dtype=_DTYPE), np.frombuffer(b.hashvalues, dtype=_DTYPE)
    if va.size != vb.size:
        raise ValueError("signatures of different sizes are not comparable")
    if not a.shingles or not b.shingles:
        return 0.0, 0.0
    jaccard = float(np.count_nonzero(va == vb)) / va.size
    overlap = jaccard * (a.shingles + b.shingles) / (1.0 + jaccard)
    return jaccard, min(1.0, overlap / min(a.shingles, b.shingles))


class _Store:
    """Signatures as rows of one growing matrix, so a query verifies all its candidates at once."""

    def __init__(self, params: StoryParams) -> None:
        self.params = params
        self.matrix = np.empty((64, params.num_perm), dtype=_DTYPE)
        self.shingles = np.empty(64, dtype=np.int64)
        self.seconds = np.empty(64, dtype=np.float64)  # published_at as POSIX-like seconds (naive)
        # Band keys per row (-1: none, a text too short to index); real keys are never negative.
        self.bands = np.empty((64, params.lsh_bands), dtype=np.int64)
        self.ids: list[str] = []
        self.row: dict[str, int] = {}
        self.story: list[str] = []

    def add(self, sig: ArticleSignature, story_id: str, keys: list[int]) -> int:
        i = len(self.ids)
        if i == len(self.shingles):
            self.matrix = np.concatenate([self.matrix, np.empty_like(self.matrix)])
            self.shingles = np.concatenate([self.shingles, np.empty_like(self.shingles)])
            self.seconds = np.concatenate([self.seconds, np.empty_like(self.seconds)])
            self.bands = np.concatenate([self.bands, np.empty_like(self.bands)])
        self.matrix[i] = _values(sig, self.params)
        self.shingles[i] = sig.shingles
        self.seconds[i] = _seconds(sig.published_at)
        self.bands[i] = keys if keys else -1
        self.ids.append(sig.article_id)
        self.row[sig.article_id] = i
        self.story.append(story_id)
        return i


_EPOCH = datetime(1970, 1, 1)


def _seconds(when: datetime) -> float:
    return (when.replace(tzinfo=None) - _EPOCH).total_seconds()


def _candidate_rows(store: _Store, index: dict[int, list[int]], keys: list[int]) -> np.ndarray:
    """Rows sharing a band key with ``keys``, ascending.

    From the key index while the buckets are small (the usual case: a few copies per story). When
    they hold more rows than a scan of every stored key would touch -- a big day of near-identical
    texts, where every earlier article collides -- the band-key matrix is compared instead: the
    same rows (a key mixes in its band's number, so equal keys sit in the same band), found in
    numpy instead of a set union of thousands of Python ints per article.
    """
    buckets = [bucket for key in keys if (bucket := index.get(key))]
    touched = sum(map(len, buckets))
    n = len(store.ids)
    if touched <= n:
        return np.unique(np.fromiter(chain.from_iterable(buckets), dtype=np.int64, count=touched))
    return np.flatnonzero((store.bands[:n] == np.array(keys, dtype=np.int64)).any(axis=1))


def _best_match(store: _Store, sig: ArticleSignature, idx: np.ndarray) -> tuple[int, float, float] | None:
    """The accepted candidate row most similar to ``sig`` as (row, jaccard, containment), or None."""
    params = store.params
    if not idx.size or sig.shingles < params.min_shingles:
        return None
    in_window = np.abs(store.seconds[idx] - _seconds(sig.published_at)) <= params.window.total_seconds()
    idx = idx[in_window & (store.shingles[idx] >= params.min_shingles)]
    if not idx.size:
        return None
    n = len(store.ids)
    if idx.size * 2 < n:
        equal = np.count_nonzero(store.matrix[idx] == _values(sig, params), axis=1)
    else:  # most rows: comparing them all in place beats copying them out first
        equal = np.count_nonzero(store.matrix[:n] == _values(sig, params), axis=1)[idx]
    jaccard = equal / params.num_perm
    sizes = store.shingles[idx]
    smaller = np.minimum(sizes, sig.shingles)
    containment = np.minimum(1.0, jaccard * (sizes + sig.shingles) / (1.0 + jaccard) / smaller)
    # Containment alone is trusted only for texts long enough for the estimate to mean something.
    ok = (jaccard >= params.min_jaccard) | (
        (containment >= params.min_containment) & (smaller >= params.min_shingles_for_containment))
    if not ok.any():
        return None
    idx, jaccard, containment = idx[ok], jaccard[ok], containment[ok]
    # Most similar wins; among equals the earliest, then the smallest id (determinism). Narrowed in
    # numpy first: on a big day of near-identical texts thousands of rows qualify.
    top = jaccard == jaccard.max()
    top &= containment == containment[top].max()
    seconds = store.seconds[idx]
    top &= seconds == seconds[top].min()
    best = min(np.flatnonzero(top), key=lambda k: store.ids[idx[k]])
    return int(idx[best]), float(jaccard[best]), float(containment[best])


def story_assignments(
    new_articles: Sequence[NewArticle | ArticleSignature],
    index_state: Sequence[StoredSignature],
    params: StoryParams = StoryParams(),
) -> list[StoryAssignment]:
    """Place each new article (text, or its signature) in a story; one assignment each, oldest first.

    ``index_state`` holds stored signatures that may match: the whole window, or just the
    candidates whose band keys collide (what the warehouse passes). New articles are processed
    oldest first (ties by article_id), so a batch assigns the same stories whatever its input
    order, and an article may join a story started earlier in the same batch. An article
    already in ``index_state`` keeps its story. Raises ValueError on a signature made under
    another scheme (a different ``num_perm``).
    """
    hasher = _Hasher(params)
    store = _Store(params)
    index: dict[int, list[int]] = defaultdict(list)

    def add(sig: ArticleSignature, story_id: str, keys: list[int]) -> None:
        row = store.add(sig, story_id, keys)
        for key in keys:
            index[key].append(row)

    for stored in index_state:
        if stored.signature.article_id not in store.row:
            add(stored.signature, stored.story_id, band_keys(stored.signature, params))

    pending = [a if isinstance(a, ArticleSignature) else hasher.sign(a) for a in new_articles]
    out: list[StoryAssignment] = []
    for sig in sorted(pending, key=lambda s: (s.published_at, s.article_id)):
        if sig.article_id in store.row:
            story_id = store.story[store.row[sig.article_id]]
            out.append(StoryAssignment(sig.article_id, story_id, sig, known=True))
            continue
        keys = band_keys(sig, params)
        match = _best_match(store, sig, _candidate_rows(store, index, keys))
        if match is None:
            add(sig, sig.article_id, keys)
            out.append(StoryAssignment(sig.article_id, sig.article_id, sig))
        else:
            row, jaccard, containment = match
            add(sig, store.story[row], keys)
            out.append(StoryAssignment(sig.article_id, store.story[row], sig, matched=store.ids[row],
                                       jaccard=jaccard, containment=containment))
    return out
