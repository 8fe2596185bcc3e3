"""``arena submit`` and ``arena jobs``: put a job on the bus, optionally wait for its result.

Job kinds are discovered from the event registry (see ``arena_core.jobs``): a service
that registers its job events shows up here without any edit.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import typer

from arena_core.cli.help import examples
from arena_core.cli.output import fail
from arena_core.events import subject_for
from arena_core.ids import new_id
from arena_core.jobs import (
    SubmitError,
    SubmitExit,
    apply_fields,
    envelope_from_json,
    example_envelope,
    find_job,
    job_envelope,
    job_for_type,
    job_kinds,
    job_reference,
    parse_json_object,
    replace_reference,
    submit,
)


def _read_document(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise SubmitError("unreadable_file", f"{file}: {exc.strerror}") from None


def _fail(exc: SubmitError) -> typer.Exit:
    typer.echo(
        orjson.dumps({"error": exc.reason, "detail": exc.detail}).decode(), err=True, color=False
    )
    return typer.Exit(SubmitExit.invalid)


def register(app: typer.Typer) -> None:
    jobs = typer.Typer(
        help="Job types that can be submitted, with examples.",
        no_args_is_help=True,
        epilog=examples("arena jobs list", "arena jobs example sim --payload"),
    )
    app.add_typer(jobs, name="jobs")

    @app.command(
        "submit",
        epilog=examples(
            "arena jobs example sim --payload > sim.json && arena submit sim -f sim.json --wait",
            "arena submit benchmark --field family=sweep --field seed=3 --wait",
            "arena submit -f envelope.json            # a whole envelope",
        ),
    )
    def submit_command(
        job: str = typer.Argument(
            None,
            metavar="[TYPE]",
            help="Job type (e.g. sim; see 'arena jobs list'). Omit it to submit a complete "
            "envelope from --file.",
        ),
        json_payload: str = typer.Option(None, "--json", help="The payload as a JSON object."),
        file: str = typer.Option(
            None,
            "--file",
            "-f",
            help="JSON file ('-' = stdin): the payload when TYPE is given, else a whole envelope.",
        ),
        fields: list[str] = typer.Option(
            [], "--field", help="KEY=VALUE set on the payload; KEY may be dotted (a.b.c)."
        ),
        wait: bool = typer.Option(False, "--wait", help="Wait for the answer and print it."),
        timeout: float = typer.Option(None, "--timeout", min=0.1, help="Seconds --wait waits."),
        run_id: str = typer.Option(None, "--run-id", help="Run the job belongs to."),
        nats: str = typer.Option(None, "--nats", help="NATS URL(s); default ARENA_NATS_URL."),
    ) -> None:
        """Publish a job (or any envelope) onto its subject; with --wait, print the result.

        Exit status: 0 published/completed, 1 job failed or rejected, 2 invalid input,
        124 no answer within --timeout.
        """
        from arena_core.settings import Settings

        settings = Settings()
        url = nats or settings.nats_url
        try:
            if json_payload is not None and file is not None:
                raise SubmitError(
                    "bad_arguments", "give the payload with --json or --file, not both"
                )
            if job is None:
                if file is None or json_payload is not None or fields:
                    raise SubmitError(
                        "bad_arguments",
                        "without TYPE, give a complete envelope with --file F (or --file -)",
                    )
                envelope = envelope_from_json(_read_document(file))
                if run_id:
                    envelope = envelope.with_ids(run_id=run_id)
                kind = job_for_type(envelope.type)
            else:
                kind = find_job(job)
                if file is not None:
                    payload = parse_json_object(_read_document(file), "payload")
                elif json_payload is not None:
                    payload = parse_json_object(json_payload, "--json")
                else:
                    payload = {}
                envelope = job_envelope(kind, apply_fields(payload, fields), run_id=run_id)
            if kind is not None:
                kind.check_consumed()
            if wait and (kind is None or not kind.replies):
                raise SubmitError(
                    "no_reply_type", f"{envelope.type} is not a job with a known answer to wait for"
                )
        except SubmitError as exc:
            raise _fail(exc) from None
        if not url:
            fail(
                "arena submit needs a NATS server: --nats URL or ARENA_NATS_URL", SubmitExit.invalid
            )
        code, result = asyncio.run(
            submit(
                url,
                envelope,
                wait=wait,
                timeout=timeout or settings.request_timeout_s,
                replies=kind.replies if kind else (),
            )
        )
        typer.echo(orjson.dumps(result).decode(), color=False)
        raise typer.Exit(code)

    @jobs.command(
        "list",
        epilog=examples(
            "arena jobs list | jq .job",
        ),
    )
    def list_command(
        as_json: bool = typer.Option(False, "--json", help="Accepted: it prints JSON lines."),
    ) -> None:
        """Every job type with its request and answer subjects (JSON lines)."""
        for name, kind in sorted(job_kinds().items()):
            line = {
                "job": name,
                "subject": kind.subject,
                "replies": [subject_for(r.EVENT_TYPE) for r in kind.replies],
            }
            typer.echo(orjson.dumps(line).decode(), color=False)

    @jobs.command(
        "example",
        epilog=examples(
            "arena jobs example sim",
            "arena jobs example solve --payload",
        ),
    )
    def example_command(
        job: str = typer.Argument(..., help="Job type, e.g. sim."),
        payload_only: bool = typer.Option(False, "--payload", help="Print only the payload."),
        as_json: bool = typer.Option(False, "--json", help="On one line (default: indented)."),
    ) -> None:
        """Print an example envelope (or payload) of a job type."""
        try:
            kind = find_job(job)
        except SubmitError as exc:
            raise _fail(exc) from None
        envelope = example_envelope(kind)
        if envelope is None:
            typer.echo(f"no example for {kind.name}; see schemas/{kind.request.EVENT_TYPE}.json")
            raise typer.Exit(1)
        new = new_id()
        fresh = envelope.with_ids(id=new, run_id=new, correlation_id=new, ts=datetime.now(UTC))
        data = fresh.payload if payload_only else fresh
        typer.echo(data.model_dump_json(indent=None if as_json else 2), color=False)

    @jobs.command(
        "reference",
        epilog=examples(
            "arena jobs reference",
            "arena jobs reference --write docs/jobs.md",
        ),
    )
    def reference_command(
        write: Path = typer.Option(
            None, "--write", help="Replace the generated section of this Markdown file."
        ),
    ) -> None:
        """Print (or write into a document) the reference of every job type."""
        reference = job_reference()
        if write is None:
            typer.echo(reference, nl=False, color=False)
            return
        try:
            write.write_text(replace_reference(write.read_text(), reference))
        except SubmitError as exc:
            raise _fail(exc) from None
