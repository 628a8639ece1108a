"""What signals read from config: government bodies (weak for linking) and headline forms per event type."""

from __future__ import annotations

from pathlib import Path

from duckdb import DuckDBPyConnection

from extractors.gazetteer import load_gazetteer
from extractors.signals import HeadlineForms, SignalParams, government_actors
from extractors.taxonomy import load_event_rules
from warehouse.signals import signal_params


def headline_forms(config_dir: Path) -> dict[str, HeadlineForms]:
    """Headline forms per event type, from config/event_types.toml."""
    return {name: HeadlineForms(spec.headlines, spec.headlines_alleged)
            for name, spec in load_event_rules(config_dir).types.items()}


def linking_params(con: DuckDBPyConnection, config_dir: Path) -> SignalParams:
    """The database's linking rules with the gazetteer's government bodies, the configured headlines and the
    roles of a denial row (any other role in it names whom the denial answers)."""
    weak = government_actors(load_gazetteer(config_dir).entries)
    return signal_params(con, weak_actors=weak, headlines=headline_forms(config_dir),
                         denial_roles=load_event_rules(config_dir).denial_roles)
