"""What a folder holds, to show that a refused input left everything written before as it was."""

import hashlib
from pathlib import Path


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file below `folder` (folders and links by name), keyed by relative path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
