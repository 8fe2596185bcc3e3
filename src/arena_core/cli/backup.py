"""``arena backup`` / ``arena restore`` / ``arena backups``: the recording in S3."""

from __future__ import annotations

import typer

from arena_core.backup.codec import DEFAULT_CODEC, Codec
from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, fail, print_json


def register(app: typer.Typer) -> None:
    @app.command(
        "backup",
        epilog=examples(
            "ARENA_S3_BUCKET=arena arena backup        # snapshot, compress, upload",
            "arena backup --codec zstd-19 --idempotency-key 2026-12-01",
        ),
    )
    def backup_command(
        codec: Codec = typer.Option(DEFAULT_CODEC, "--codec", help="Compression."),
        key: str = typer.Option(None, "--idempotency-key", help="Skip if this key was done."),
        as_json: bool = typer.Option(False, "--json", help="Accepted: it prints one JSON object."),
    ) -> None:
        """Snapshot the recording (online), compress, upload to ARENA_S3_BUCKET, keep last N."""
        from arena_core.backup import BackupError, backup
        from arena_core.settings import Settings

        try:
            manifest = backup(Settings(), codec=codec, idempotency_key=key)
        except BackupError as exc:
            fail(f"arena backup: {exc}", 1)
        typer.echo(manifest.model_dump_json(exclude={"tables"}), color=False)

    @app.command(
        "restore",
        epilog=examples(
            "arena restore                            # the newest backup",
            "arena restore 01a2f3",
        ),
    )
    def restore_command(
        backup_id: str = typer.Argument(None, help="Backup id (prefix); default the newest."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Download, verify and swap in a backup (stop the recorder first)."""
        from arena_core.backup import BackupError, restore
        from arena_core.settings import Settings

        try:
            manifest = restore(Settings(), backup_id)
        except BackupError as exc:
            fail(f"arena restore: {exc}", 1)
        if as_json:
            print_json(manifest.model_dump(mode="json", exclude={"tables"}))
            return
        typer.echo(
            f"restored backup {manifest.backup_id} (seq {manifest.recorded_seq}, "
            f"{len(manifest.tables)} tables verified)"
        )

    @app.command(
        "backups",
        epilog=examples(
            "arena backups | jq .backup_id",
        ),
    )
    def backups_command(
        as_json: bool = typer.Option(False, "--json", help="Accepted: it prints JSON lines."),
    ) -> None:
        """The backups in the bucket, oldest first (JSON lines)."""
        from arena_core.backup import BackupError
        from arena_core.backup.store import Bucket
        from arena_core.settings import Settings

        try:
            manifests = Bucket(Settings()).manifests()
        except BackupError as exc:
            fail(f"arena backups: {exc}", 1)
        for m in manifests:
            typer.echo(m.model_dump_json(exclude={"tables"}), color=False)
