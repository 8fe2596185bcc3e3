"""The Pareto front as a picture: success vs cost, the front highlighted, lineage arrows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from arena_core.events.profiles import Objectives


def plot_front(
    points: Sequence[tuple[str, Objectives, tuple[str, ...]]],
    front: set[str],
    out: Path,
    *,
    cost: str = "tokens",
) -> Path:
    """Write a PNG: every evaluated profile (id, objectives, parent ids) as a point of
    success against cost, the front's points larger and joined, an arrow from each
    parent to its child."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def x(o: Objectives) -> float:
        return o.cost_usd if cost == "usd" else o.tokens

    where = {pid: (x(o), o.success) for pid, o, _ in points}
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    for pid, _, parents in points:
        for parent in parents:
            if parent in where and parent != pid:
                ax.annotate(
                    "", xy=where[pid], xytext=where[parent],
                    arrowprops={"arrowstyle": "->", "color": "0.7", "lw": 0.8},
                )  # fmt: skip
    others = [where[p] for p, _, _ in points if p not in front]
    if others:
        ax.scatter(
            [p[0] for p in others], [p[1] for p in others], c="0.55", s=22, label="evaluated"
        )
    on_front = sorted(where[p] for p, _, _ in points if p in front)
    if on_front:
        xs, ys = [p[0] for p in on_front], [p[1] for p in on_front]
        ax.plot(xs, ys, "o-", c="tab:red", ms=7, label="Pareto front")
    ax.set_xlabel("cost per solve (" + ("USD" if cost == "usd" else "tokens") + ")")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="lower right")
    ax.set_title("profiles: success vs cost")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
