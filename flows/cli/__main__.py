"""``python -m flows.cli``: the same as the ``newsignal`` command."""

from flows.cli.main import main

main()
