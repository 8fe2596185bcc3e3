"""``arena prompts``: the prompt registry (list versions, show one)."""

from __future__ import annotations

import orjson
import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    prompts = typer.Typer(help="Versioned prompt templates of the agents.", no_args_is_help=True)
    app.add_typer(prompts, name="prompts")

    @prompts.command("list")
    def list_(
        role: str = typer.Option(None, "--role", help="Only this agent role."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Every prompt version with its tags (``prod`` is what runs use)."""
        from arena_core.db import open_database
        from arena_core.prompts import list_prompts, load_packaged_defaults
        from arena_core.settings import Settings

        engine = open_database(Settings().database_path)
        load_packaged_defaults(engine)
        found = list_prompts(engine, role)
        if as_json:
            rows = [
                {
                    "id": p.id,
                    "role": p.role,
                    "version": p.version,
                    "tags": list(p.tags),
                    "parent_id": p.parent_id,
                    "created_at": p.created_at.isoformat(),
                }
                for p in found
            ]
            typer.echo(orjson.dumps(rows).decode())
            return
        table = Table(title="prompts")
        for column in ("id", "role", "version", "tags", "parent", "created"):
            table.add_column(column)
        for p in found:
            table.add_row(
                p.id,
                p.role,
                p.version,
                ",".join(p.tags),
                p.parent_id or "",
                p.created_at.strftime("%Y-%m-%d %H:%M"),
            )
        Console().print(table)

    @prompts.command()
    def show(
        prompt: str = typer.Argument(..., help="Prompt id, or ROLE for its prod prompt."),
        tag: str = typer.Option("prod", "--tag", help="With a ROLE: the tag to show."),
    ) -> None:
        """Print one prompt template."""
        from arena_core.db import open_database
        from arena_core.prompts import UnknownPrompt, get_prompt, load_packaged_defaults, tagged
        from arena_core.settings import Settings

        engine = open_database(Settings().database_path)
        load_packaged_defaults(engine)
        try:
            found = get_prompt(engine, prompt) if "-" in prompt else tagged(engine, prompt, tag)
        except UnknownPrompt as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        typer.echo(
            f"# {found.id}  role={found.role} version={found.version} "
            f"tags={','.join(found.tags) or '-'} parent={found.parent_id or '-'}"
        )
        typer.echo(found.content, nl=False)
