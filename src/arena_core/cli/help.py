"""Help text shared by every command: the examples at the foot of ``--help``.

    @app.command(epilog=examples("arena runs -n 5  # the last five runs"))

Rich help joins lines of one paragraph, so each example is its own paragraph.
"""

from __future__ import annotations


def examples(*lines: str, after: str = "") -> str:
    """An epilog: ``Examples:`` and one command per line, then ``after`` (exit codes...)."""
    # A first empty line: help text is dedented by the lines after the first, and
    # "Examples:" (not indented) keeps the examples indented under it.
    text = "\nExamples:\n\n" + "\n\n".join(f"    {line}" for line in lines)
    return text + (f"\n\n{after}" if after else "") + "\n"
