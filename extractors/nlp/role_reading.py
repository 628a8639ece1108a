"""The record of who plays which part in one event instance (``RoleReading``), and the reading of a denial
of a claim from the claim's own reading (``denial_reading``).

``roles.py`` reads a ``RoleReading`` from the parse; ``denials.py`` turns a claim's reading into its denial's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extractors.taxonomy import EventTypeSpec

from .entities import MentionSpan

PARTY_LABELS = ("ORG", "PERSON", "GPE")
MentionAt = Callable[[int], MentionSpan | None]


@dataclass(frozen=True)
class RoleReading:
    """The role holders of one event instance: (role, canonical name, label) in role order."""

    fillers: tuple[tuple[str, str, str], ...]
    initiator: str | None
    # Names taken from the rest of the sentence rather than the trigger's arguments: parties, but too
    # uncertain to say whom the event is about (they never become targets).
    scanned: frozenset[str] = frozenset()

    def holders(self, role: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for r, n, _label in self.fillers if r == role))

    def targets(self, role: str) -> tuple[str, ...]:
        """Holders of ``role`` read from the trigger's own arguments."""
        return tuple(n for n in self.holders(role) if n not in self.scanned)

    def parties(self, object_roles: frozenset[str]) -> tuple[str, ...]:
        """The named parties among the holders, initiator first, each once."""
        names = [n for r, n, label in self.fillers if r not in object_roles and label in PARTY_LABELS]
        if self.initiator in names:
            names.remove(self.initiator)
            names.insert(0, self.initiator)
        return tuple(dict.fromkeys(names))


NO_ROLES = RoleReading((), None)


def denial_reading(
    claim: RoleReading, spec: EventTypeSpec, denial_roles: tuple[str, ...], denier: MentionSpan,
    affiliated: MentionSpan | None = None, answers: tuple[tuple[str, str], ...] = (),
) -> RoleReading:
    """The roles of a denial of ``claim``: who rejects it, the party the claim is about (its second
    party role: the accused, target, defendant, perpetrator ...), and, when the denial names them
    ("rejected OpenAI's accusation"), whom it answers: ``answers`` (name, label) in the claim's first role."""
    denier_role, accused_role = denial_roles[0], denial_roles[-1]
    concerned = next((r for r in spec.party_roles if r != spec.initiator_role), spec.initiator_role)
    fillers = [(denier_role, denier.name, denier.label)]
    if affiliated is not None and affiliated.name != denier.name:
        fillers.append((denier_role, affiliated.name, affiliated.label))  # "DeepSeek spokesperson Li Wei"
    fillers += [(accused_role, n, label) for r, n, label in claim.fillers if r == concerned]
    fillers += [(spec.initiator_role, n, label) for n, label in answers
                if n != denier.name and (affiliated is None or n != affiliated.name)]
    scanned = claim.scanned - {denier.name}
    return RoleReading(tuple(dict.fromkeys(fillers)), denier.name, frozenset(scanned))
