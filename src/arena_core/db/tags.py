"""Tags: the movable names (``prod``) a role gives one row of a registry.

The prompt and the profile registries each keep a tag table of ``role``, ``tag`` and
the id of the row it names; ``Tags`` reads either (the recorder alone writes them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Table, select


@dataclass(frozen=True)
class Tags:
    """A registry's tag table and the name of its column holding the tagged row's id."""

    table: Table
    id_column: str

    def of(self, conn: Connection, id: str) -> tuple[str, ...]:
        """The tags on the row ``id``, sorted."""
        c = self.table.c
        query = select(c.tag).where(c[self.id_column] == id).order_by(c.tag)
        return tuple(conn.execute(query).scalars())

    def by_id(self, conn: Connection) -> dict[str, tuple[str, ...]]:
        """Every tagged row's tags, sorted."""
        c = self.table.c
        found: dict[str, list[str]] = {}
        for id, tag in conn.execute(select(c[self.id_column], c.tag).order_by(c.tag)):
            found.setdefault(id, []).append(tag)
        return {id: tuple(tags) for id, tags in found.items()}

    def holder(self, conn: Connection, role: str, tag: str) -> str | None:
        """The id of the row of ``role`` carrying ``tag``, if any."""
        c = self.table.c
        query = select(c[self.id_column]).where(c.role == role, c.tag == tag)
        found: str | None = conn.execute(query).scalar()
        return found

    def roles_with(self, conn: Connection, tag: str) -> set[str]:
        """The roles that have given ``tag`` to a row."""
        return set(conn.execute(select(self.table.c.role).where(self.table.c.tag == tag)).scalars())
