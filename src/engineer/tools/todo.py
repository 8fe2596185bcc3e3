"""``update_todo``: the engineer marks the plan's items; the recorder keeps the plan."""

from __future__ import annotations

from pydantic import Field

from arena_core.events.engineer import PlanItemStatus, PlanItemUpdated
from arena_core.llm import ToolError
from engineer.session import EngineerSession
from engineer.tools.base import Args


class TodoArgs(Args):
    item_id: str
    status: PlanItemStatus
    note: str = Field(default="", max_length=2000)


async def update_todo(session: EngineerSession, args: TodoArgs) -> str:
    ids = [i.id for i in session.items]
    if args.item_id not in ids:
        raise ToolError(f"no item {args.item_id!r}; items: {', '.join(ids)}")
    session.items = tuple(
        i.model_copy(update={"status": args.status, "note": args.note})
        if i.id == args.item_id
        else i
        for i in session.items
    )
    await session.delivery.emit(
        PlanItemUpdated(
            plan_id=session.plan_id, item_id=args.item_id, status=args.status, note=args.note
        )
    )
    return f"{args.item_id}: {args.status.value}"
