"""``newsignal dashboard``: serve the local, read-only dashboard."""

from __future__ import annotations

from pathlib import Path

import click

from flows.cli.output import CliError


@click.command(name="dashboard")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("demo-output/newsignal.duckdb"), show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
def dashboard_command(db_path: Path, port: int) -> None:
    """Serve events per type per day, filters, evidence and entity briefings on 127.0.0.1."""
    from flows.dashboard.server import make_server

    try:
        server = make_server(db_path, port=port)
    except OSError as exc:
        raise CliError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    click.echo(f"newsignal dashboard for {db_path} at {server.url} (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
