"""Story clustering: copies, light rewrites and retitled copies share a story; other stories do not.

The texts below are written for these tests (fictional events, real-looking wire style). They
double as the calibration pairs printed by ``bench/stories_signals.py --calibrate``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from extractors.stories import (
    NewArticle,
    StoredSignature,
    StoryParams,
    band_keys,
    estimated_similarity,
    sign_article,
    story_assignments,
)

# The wire original: a licence exception for Gulf data centres is revoked.
WIRE = """\
WASHINGTON (Harbor Wire) -- The US Commerce Department on Monday revoked a licence exception that had \
allowed American chipmakers to ship advanced AI accelerators to cloud data centres in the United Arab \
Emirates and Saudi Arabia without case-by-case approval, tightening controls it loosened only eight months \
ago.

Under the change, published in the Federal Register, companies such as Nvidia and AMD will again need an \
individual licence for each shipment of their most capable data-centre processors to the two countries. \
Applications will be reviewed under a presumption of approval for operators that meet new security \
requirements, the department said.

Officials said the exception had been used to route chips to companies with links to Chinese technology \
groups. "We found cases where hardware cleared for one customer ended up serving another," a senior Commerce \
official told reporters on a call, speaking on condition of anonymity.

The Bureau of Industry and Security, the Commerce agency that administers export controls, said existing \
shipments would not be recalled, but that exporters must stop using the exception within 30 days.

Nvidia said it was reviewing the rule and would comply with it. AMD declined to comment. Shares of both \
companies fell about 2 percent in early trading.

The Gulf states have spent heavily to become hubs for AI computing. G42, the Abu Dhabi group backed by \
Microsoft, is building a campus that it says will eventually draw five gigawatts of power, and Saudi \
Arabia's Humain has announced plans to buy hundreds of thousands of chips over five years.

Analysts said the rule would slow those projects but not stop them. "Licences will still be granted, they \
will just take months instead of days," said Priya Raman, a trade lawyer at Castell & Moore in Washington. \
"For a data centre that is waiting on hardware, that delay is expensive."

The Emirati government said in a statement that it shared US security goals and expected the licensing \
process to be completed quickly for trusted partners.
"""

# Syndicated copy: dateline and credit dropped, US spellings, one clause trimmed, the last paragraph cut.
SYNDICATED = """\
The US Commerce Department on Monday revoked a license exception that had allowed American chipmakers to \
ship advanced AI accelerators to cloud data centers in the United Arab Emirates and Saudi Arabia without \
case-by-case approval, tightening controls it loosened only eight months ago.

Under the change, published in the Federal Register, companies such as Nvidia and AMD will again need an \
individual license for each shipment of their most capable data-center processors to the two countries. \
Applications will be reviewed under a presumption of approval for operators that meet new security \
requirements, the department said.

Officials said the exception had been used to route chips to companies with links to Chinese technology \
groups. "We found cases where hardware cleared for one customer ended up serving another," a senior Commerce \
official told reporters on a call.

The Bureau of Industry and Security, the Commerce agency that administers export controls, said existing \
shipments would not be recalled, but that exporters must stop using the exception within 30 days.

Nvidia said it was reviewing the rule and would comply with it. AMD declined to comment. Shares of both \
companies fell about 2 per cent in early trading.

The Gulf states have spent heavily to become hubs for AI computing. G42, the Abu Dhabi group backed by \
Microsoft, is building a campus that it says will eventually draw five gigawatts of power, and Saudi \
Arabia's Humain has announced plans to buy hundreds of thousands of chips over five years.

Analysts said the rule would slow those projects but not stop them. "Licenses will still be granted, they \
will just take months instead of days," said Priya Raman, a trade lawyer at Castell & Moore in Washington. \
"For a data center that is waiting on hardware, that delay is expensive."
"""

# A light rewrite by a desk working from the wire: new lede, paragraphs reordered and condensed, quotes kept.
REWRITE = """\
American chipmakers will once again need case-by-case permission to sell their most powerful AI processors \
to data centres in the United Arab Emirates and Saudi Arabia, after the Commerce Department revoked a \
licence exception on Monday.

The exception, introduced eight months ago, let companies such as Nvidia and AMD ship advanced accelerators \
to cloud operators in the two countries without individual approval. Under the change, published in the \
Federal Register, companies will again need an individual licence for each shipment. Applications will be \
reviewed under a presumption of approval for operators that meet new security requirements, the department \
said.

Officials said the exception had been used to route chips to companies with links to Chinese technology \
groups. "We found cases where hardware cleared for one customer ended up serving another," a senior Commerce \
official told reporters on a call.

Exporters must stop using the exception within 30 days, the Bureau of Industry and Security said, adding \
that existing shipments would not be recalled.

"Licences will still be granted, they will just take months instead of days," said Priya Raman, a trade \
lawyer at Castell & Moore in Washington. "For a data centre that is waiting on hardware, that delay is \
expensive."

Nvidia said it was reviewing the rule and would comply with it. Shares of Nvidia and AMD fell about 2 \
percent in early trading.

The move is a setback for the Gulf states, which have spent heavily to become hubs for AI computing. G42, \
the Abu Dhabi group backed by Microsoft, is building a campus that it says will eventually draw five \
gigawatts of power, and Saudi Arabia's Humain has announced plans to buy hundreds of thousands of chips over \
five years.
"""

# The same copy retitled and republished by a sister site, wrapped in page furniture the extractor kept.
RETITLED = "Listen to this article (4 min)\n\n" + WIRE + """
Sign up for The Chip Brief, our free weekly newsletter on semiconductors and AI infrastructure.
"""

# Independent reporting of the same decision: written from scratch, one quote from the press call shared.
INDEPENDENT = """\
Washington moved on Monday to close what officials described as a loophole in its AI chip rules, scrapping a \
provision that let cloud data centres in the UAE and Saudi Arabia receive top-end Nvidia and AMD processors \
without a licence for every order.

The decision reverses part of a package that was meant to reward Gulf partners for cutting ties with Chinese \
suppliers. A Commerce Department official said investigators had traced several shipments to customers that \
were not on the approved list. "We found cases where hardware cleared for one customer ended up serving \
another," the official said.

Industry groups reacted with frustration. The Semiconductor Industry Association said frequent changes made \
it hard for its members to plan production, and warned that buyers in the region might turn to Chinese \
alternatives such as Huawei's accelerators if American supplies became unreliable.

For G42 and Humain, the two companies at the centre of the Gulf's computing ambitions, the practical \
question is how fast licences will come through. People familiar with the matter said both had orders \
pending worth several billion dollars. Neither company responded to requests for comment.

The rule takes effect immediately, with a 30-day grace period for shipments already under way.
"""

# A different export-control story on the same topic: Dutch servicing restrictions.
DUTCH = """\
The Dutch government on Friday ordered ASML to stop servicing some of the advanced chipmaking machines it \
has already sold to customers in China, extending export controls that until now covered only new sales.

The measure, announced by the trade ministry in The Hague, applies to deep ultraviolet lithography systems \
installed at about a dozen Chinese factories. ASML engineers will no longer be allowed to supply spare \
parts, software updates or maintenance for those machines without a licence, the ministry said.

ASML said it expected the rules to reduce its sales in China by a low single-digit percentage next year and \
that it would comply. The company's shares fell 3 percent in Amsterdam.

China's commerce ministry said it firmly opposed the decision and would take measures to protect the \
interests of Chinese companies. It urged the Netherlands to "respect market principles" and avoid \
politicising trade.

The Netherlands has aligned its export controls more closely with those of the United States over the past \
two years, under pressure from Washington, which argues that advanced chipmaking tools help China build \
semiconductors for military use. Officials in The Hague have said their decisions are taken independently.

Servicing has become a sensitive issue because Chinese chipmakers rely on foreign suppliers to keep older \
machines running while they try to develop domestic alternatives. Analysts estimate that a lithography \
system without regular maintenance loses significant output within months.
"""

# Another export-control story: additions to the Entity List, with vocabulary shared with WIRE.
ENTITY_LIST = """\
The US Commerce Department on Wednesday added 14 Chinese companies to its Entity List, accusing them of \
helping to supply advanced AI accelerators to military research institutes in violation of export controls.

The additions, published in the Federal Register, include three cloud computing providers and several \
distributors based in Shenzhen and Hong Kong. Companies on the list cannot receive American technology \
without a licence, and applications are reviewed under a presumption of denial.

The Bureau of Industry and Security, the Commerce agency that administers export controls, said the \
companies had bought chips from Nvidia and AMD through shell firms and resold them to customers that are \
barred from receiving them. It did not say how many chips were involved.

China's foreign ministry said the move was an abuse of export controls and that Beijing would take necessary \
measures to protect Chinese companies. Nvidia said it complied with all export rules. AMD declined to comment.

The Entity List has grown rapidly as Washington has tried to stop advanced chips from reaching China through \
third parties. Officials have said smuggling networks in Southeast Asia and elsewhere now handle a \
significant share of the trade.

Analysts said the additions were unlikely to affect the chipmakers' results, because the companies named \
were small buyers. "This is about closing channels, not about revenue," said Priya Raman, a trade lawyer at \
Castell & Moore in Washington.
"""

# A next-day follow-up from the same wire: new reporting that reuses two background paragraphs verbatim.
FOLLOW_UP = """\
Nvidia has applied for export licences covering about 40,000 accelerators ordered by customers in the United \
Arab Emirates, the company said on Tuesday, a day after the US revoked an exception that had let such \
shipments go ahead without individual approval.

Colette Kress, Nvidia's chief financial officer, told an investor conference in San Francisco that the \
company did not expect the change to affect its revenue forecast for the current quarter, because most of \
the affected orders were scheduled for delivery next year. "We have worked with the department on these \
licences before and we expect to do so again," she said.

The Gulf states have spent heavily to become hubs for AI computing. G42, the Abu Dhabi group backed by \
Microsoft, is building a campus that it says will eventually draw five gigawatts of power, and Saudi \
Arabia's Humain has announced plans to buy hundreds of thousands of chips over five years.

AMD, whose MI400 processors are also covered by the rule, said it was in contact with officials about the \
timing of pending applications. A spokesperson for Humain said the company's plans were unchanged.

The Bureau of Industry and Security, the Commerce agency that administers export controls, said existing \
shipments would not be recalled, but that exporters must stop using the exception within 30 days.
"""

T0 = datetime(2026, 11, 16, 9, 0)

SAME_STORY = {"syndicated": SYNDICATED, "rewrite": REWRITE, "retitled": RETITLED}
OTHER_STORY = {"independent": INDEPENDENT, "dutch": DUTCH, "entity_list": ENTITY_LIST, "follow_up": FOLLOW_UP}


def art(article_id: str, text: str, hours: float = 0) -> NewArticle:
    return NewArticle(article_id, T0 + timedelta(hours=hours), text)


@pytest.mark.parametrize("name", sorted(SAME_STORY))
def test_copies_and_light_rewrites_join_the_wire_story(name):
    got = story_assignments([art("wire", WIRE), art(name, SAME_STORY[name], hours=3)], [])
    assert [(a.article_id, a.story_id) for a in got] == [("wire", "wire"), (name, "wire")]
    assert got[1].matched == "wire"


@pytest.mark.parametrize("name", sorted(OTHER_STORY))
def test_other_reporting_on_the_topic_is_another_story(name):
    got = story_assignments([art("wire", WIRE), art(name, OTHER_STORY[name], hours=3)], [])
    assert {a.article_id: a.story_id for a in got} == {"wire": "wire", name: name}
    assert got[1].new_story


def test_one_story_for_all_copies_and_separate_stories_for_the_rest():
    batch = [art("wire", WIRE), art("synd", SYNDICATED, 2), art("rw", REWRITE, 5),
             art("retitled", RETITLED, 6), art("indep", INDEPENDENT, 1), art("dutch", DUTCH, 4),
             art("entity", ENTITY_LIST, 7)]
    stories = {a.article_id: a.story_id for a in story_assignments(batch, [])}
    assert stories == {"wire": "wire", "synd": "wire", "rw": "wire", "retitled": "wire",
                       "indep": "indep", "dutch": "dutch", "entity": "entity"}


def test_story_id_is_the_earliest_article_whatever_the_input_order():
    batch = [art("late-copy", SYNDICATED, 5), art("early-wire", WIRE, 0), art("dutch", DUTCH, 1)]
    forward = story_assignments(batch, [])
    backward = story_assignments(list(reversed(batch)), [])
    assert forward == backward
    assert [(a.article_id, a.story_id) for a in forward] == [
        ("early-wire", "early-wire"), ("dutch", "dutch"), ("late-copy", "early-wire")]


def test_incremental_run_matches_against_stored_signatures_without_text():
    first = story_assignments([art("wire", WIRE), art("dutch", DUTCH, 1)], [])
    state = [StoredSignature(a.signature, a.story_id) for a in first]
    second = story_assignments([art("synd", SYNDICATED, 30), art("entity", ENTITY_LIST, 31)], state)
    assert {a.article_id: a.story_id for a in second} == {"synd": "wire", "entity": "entity"}


def test_an_article_already_in_the_index_keeps_its_story():
    first = story_assignments([art("wire", WIRE), art("synd", SYNDICATED, 1)], [])
    state = [StoredSignature(a.signature, a.story_id) for a in first]
    again = story_assignments([art("synd", SYNDICATED, 1)], state)
    got = [(a.article_id, a.story_id, a.known, a.new_story) for a in again]
    assert got == [("synd", "wire", True, False)]


def test_candidates_outside_the_window_start_a_new_story():
    params = StoryParams(window=timedelta(days=14))
    first = story_assignments([art("wire", WIRE)], [], params)
    state = [StoredSignature(a.signature, a.story_id) for a in first]
    inside = story_assignments([art("copy", SYNDICATED, hours=13 * 24)], state, params)
    outside = story_assignments([art("copy", SYNDICATED, hours=15 * 24)], state, params)
    assert inside[0].story_id == "wire"
    assert outside[0].story_id == "copy"


def test_truncated_copy_joins_by_containment():
    # A feed-only copy: the first three paragraphs of the wire text.
    lead = "\n\n".join(WIRE.split("\n\n")[:3])
    params = StoryParams(min_jaccard=0.95)  # force the containment path
    got = story_assignments([art("wire", WIRE), art("lead", lead, 1)], [], params)
    assert got[1].story_id == "wire"
    assert got[1].jaccard < 0.95 and got[1].containment >= params.min_containment
    too_short = StoryParams(min_jaccard=0.95, min_shingles_for_containment=10_000)
    assert story_assignments([art("wire", WIRE), art("lead", lead, 1)], [], too_short)[1].new_story


def test_empty_and_tiny_texts_are_their_own_stories():
    got = story_assignments([art("a", ""), art("b", "", 1), art("c", "Chips.", 2), art("d", "Chips.", 3)], [])
    assert [(a.story_id, a.signature.shingles) for a in got] == [("a", 0), ("b", 0), ("c", 1), ("d", 1)]


def test_band_keys_are_shared_by_copies_and_rarely_by_other_stories():
    wire, synd, dutch = (set(band_keys(sign_article(art(n, t)))) for n, t in
                         (("w", WIRE), ("s", SYNDICATED), ("d", DUTCH)))
    assert len(wire) == StoryParams().lsh_bands
    assert len(wire & synd) >= 10  # J ~ 0.75: about 0.56 of 64 bands agree
    assert not wire & dutch
    assert band_keys(sign_article(art("c", "Chips."))) == []  # below min_shingles: never a candidate


def test_signature_is_stable_and_sized_by_num_perm():
    a = sign_article(art("wire", WIRE), StoryParams(num_perm=64, lsh_bands=32))
    b = sign_article(art("wire", WIRE), StoryParams(num_perm=64, lsh_bands=32))
    assert a == b and len(a.hashvalues) == 64 * 4
    assert estimated_similarity(a, b) == (1.0, 1.0)


def test_stored_signature_of_another_scheme_is_refused():
    small = sign_article(art("wire", WIRE), StoryParams(num_perm=64, lsh_bands=32))
    with pytest.raises(ValueError):
        story_assignments([art("synd", SYNDICATED)], [StoredSignature(small, "wire")])


def _pairwise_reference(articles: list[NewArticle], params: StoryParams) -> dict[str, tuple[str, str | None]]:
    """The documented rule applied pair by pair: each article, oldest first, joins the story of the most
    similar earlier one that shares a band key, lies within the window and is accepted."""
    signed = sorted((sign_article(a, params) for a in articles), key=lambda s: (s.published_at, s.article_id))
    story: dict[str, str] = {}
    out: dict[str, tuple[str, str | None]] = {}
    for i, sig in enumerate(signed):
        keys = set(band_keys(sig, params))
        best = None
        for other in signed[:i]:
            if not keys & set(band_keys(other, params)) or other.shingles < params.min_shingles:
                continue
            too_far = abs(other.published_at - sig.published_at) > params.window
            if too_far or sig.shingles < params.min_shingles:
                continue
            j, c = estimated_similarity(sig, other)
            smaller = min(sig.shingles, other.shingles)
            if j >= params.min_jaccard or (c >= params.min_containment
                                           and smaller >= params.min_shingles_for_containment):
                rank = (-j, -c, other.published_at, other.article_id)
                if best is None or rank < best[0]:
                    best = (rank, other.article_id)
        story[sig.article_id] = story[best[1]] if best else sig.article_id
        out[sig.article_id] = (story[sig.article_id], best[1] if best else None)
    return out


def test_a_day_of_near_identical_texts_is_placed_as_the_pairwise_rule_says():
    # Every text collides with every other in most bands: the candidates come from the band-key matrix.
    lead = WIRE.split("\n\n")[0]
    words = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Nvidia", "AMD", "Intel", "Qualcomm"]
    texts = [lead.replace("Monday", words[i % 9]).replace("eight months", f"{i % 7 + 2} months")
             + (f" Update {i}." if i % 4 else "") for i in range(150)]
    texts += [INDEPENDENT, DUTCH, ENTITY_LIST]
    articles = [art(f"n{i:03d}", t, hours=(i * 37) % 40) for i, t in enumerate(texts)]
    params = StoryParams()
    got = {a.article_id: (a.story_id, a.matched) for a in story_assignments(articles, [], params)}
    assert got == _pairwise_reference(articles, params)
    assert len({s for s, _ in got.values()}) < 20  # the near-identical ones did collapse into few stories
