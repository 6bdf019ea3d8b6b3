#!/usr/bin/env python3
"""Makes a large Stack Exchange dump from a small one, for measuring imports at scale.

    grow_dump.py SOURCE_DIR TARGET_DIR COPIES

Every row of every file is written COPIES times; copy k adds k * OFFSET to each id and to each
reference to one, so the copies are separate sites' worth of posts, users, comments and votes in
one dump. Tags are written once (their names are unique), and so are accounts with ids of 0 or
below (the Community bot), which every copy keeps pointing to. Files are read and written a line
at a time: the official dumps hold one row per line.
"""

import re
import sys
from pathlib import Path

# Larger than any id in the small dumps, so copies never collide.
OFFSET = 10_000_000
# Attributes that hold an id of a row in the dump (a post, user, comment or link).
ID_ATTRIBUTES = (
    "Id",
    "PostId",
    "ParentId",
    "AcceptedAnswerId",
    "OwnerUserId",
    "LastEditorUserId",
    "UserId",
    "RelatedPostId",
)
ATTRIBUTE = re.compile(r'\b(' + "|".join(ID_ATTRIBUTES) + r')="(-?\d+)"')
ONCE = {"Tags.xml"}


def shifted(line: str, by: int) -> str:
    def shift(match: re.Match) -> str:
        value = int(match.group(2))
        # The Community bot (-1) and other system accounts are shared by every copy.
        return match.group(0) if value <= 0 else f'{match.group(1)}="{value + by}"'

    return ATTRIBUTE.sub(shift, line)


def grow(source: Path, target: Path, copies: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.xml")):
        lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        rows = [line for line in lines if line.lstrip().startswith("<row")]
        head = [line for line in lines if not line.lstrip().startswith("<row")]
        # The XML declaration and the opening element come first, the closing element last.
        opening, closing = head[:-1], head[-1:]
        with (target / path.name).open("w", encoding="utf-8") as out:
            out.writelines(opening)
            for k in range(1 if path.name in ONCE else copies):
                for row in rows:
                    is_system_account = path.name == "Users.xml" and re.search(r'\bId="(-|0")', row)
                    if k > 0 and is_system_account:
                        continue
                    out.write(shifted(row, k * OFFSET))
            out.writelines(closing)


def main() -> None:
    if len(sys.argv) != 4 or not sys.argv[3].isdigit() or int(sys.argv[3]) < 1:
        sys.exit(__doc__)
    grow(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))


if __name__ == "__main__":
    main()
