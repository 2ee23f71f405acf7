"""Commands that browse the reference codes: countries, blocs, products, sectors."""

from __future__ import annotations

import typer

codes_app = typer.Typer(help="Browse reference codes: countries, blocs, products, sectors.",
                        no_args_is_help=True)
