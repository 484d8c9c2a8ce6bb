"""Arguments many fields share, each with its one description.

`Annotated` aliases: `def field(self, info: Info, first: First = None)`. A new field takes
these rather than a bare `int | None`, so its arguments are described like the others'.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[
    int | None,
    strawberry.argument(description="At most this many items; without it, all up to the cap."),
]
PageFirst = Annotated[
    int | None,
    strawberry.argument(
        description="Forwards: at most this many items after `after` (default 20)."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Forwards: the items after this cursor (an `endCursor`)."),
]
PageLast = Annotated[
    int | None,
    strawberry.argument(description="Backwards: at most this many items before `before`."),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Backwards: the items before this cursor (a `startCursor`)."),
]
Id = Annotated[strawberry.ID, strawberry.argument(description="The object's global ID.")]
PortfolioId = Annotated[strawberry.ID, strawberry.argument(description="The portfolio's ID.")]
