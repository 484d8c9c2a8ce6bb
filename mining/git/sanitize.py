"""Untrusted repositories are checked in Python, then copied into a clean repository git mines.

Why a copy of the objects rather than `git clone --bare --no-local`: a clone runs upload-pack on
the source, and upload-pack READS the source's config (core.fsmonitor, uploadpack.packObjectsHook
in protected config, core.hooksPath, alternates, ...), so the untrusted config would be parsed by
git at least once. Here git never opens the uploaded .git at all:

1. Python checks the tree (`inspect`): .git is a real directory (not a file, not a symlink), no
   symlink or special file anywhere inside it, no `commondir` (a linked work tree's objects live
   elsewhere), `objects/info/alternates` and `worktrees/*/gitdir` point inside the upload root,
   sizes and file counts are sane, refs have valid names (git-check-ref-format(1)) and 40-hex
   values, HEAD and `shallow` parse.
2. An empty bare repository is made in Python: the directories `git init --bare --template=`
   makes (no hooks, no sample files) and a config of our own (`_CONFIG`). No git runs to make
   it: `git init` cost a process start (6-17 ms, measured) on the way to `mine`'s first git.
3. Only object files (loose `xx/yyyy…` and `pack-*.pack` + `.idx`) are hard-linked (or copied,
   across file systems), refs are written as one `packed-refs` file, then HEAD and `shallow`.

ZIP tools drop empty directories, so an upload may lack `objects/`, `refs/` or `refs/heads/`
of a repository that had nothing in them: the copy has them all (`_SKELETON`), which
repairs such a repository; one whose refs name objects it lacks fails in git (CORRUPT).

The copy holds no config, hooks, info/attributes, commit-graph, replace refs or index of the
upload. Anything wrong raises RepoUnsafeError (code REPO_UNSAFE) before git runs.

`clean_copy_blocking` makes the same copy with no event loop: `artifact-miner mine` makes its
first one before importing asyncio (see mining/launch.py). The copy runs no git: the first git
to read it is the history's `git log`.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from mining.errors import RepoUnsafeError
from mining.parse.refs import is_valid_refname, parse_packed_refs, parse_ref_value, parse_shallow
from mining.slotted import Slotted

# typing.TYPE_CHECKING without importing typing (mypy reads it as True): `mine` makes its first
# copy before typing, dataclasses or asyncio are imported (mining/launch.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

_LOOSE_DIR = re.compile(r"[0-9a-f]{2}")
_LOOSE_FILE = re.compile(r"[0-9a-f]{38}")
_PACK = re.compile(r"pack-[0-9a-f]{40}\.pack")
_KEPT_REFS = ("refs/heads/", "refs/tags/", "refs/remotes/")
_SMALL = 64 * 1024  # the most we read of HEAD, a loose ref, shallow or config
_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"
# What `git init --bare --template=` makes besides HEAD and config (git 2.39).
_SKELETON = ("objects/info", "objects/pack", "refs/heads", "refs/tags")
_IDX_MAGIC = b"\xfftOc"  # a version 2 (or later) pack index
_FANOUT_END = 256 * 4  # the fan-out table: 256 counts of 4 bytes, the last one the total


class Limits(Slotted):
    """How large an upload's git directory may be."""

    __slots__ = ("max_bytes", "max_files", "max_packed_refs")

    def __init__(
        self,
        max_bytes: int = 8 << 30,  # of the whole git directory
        max_files: int = 1_000_000,
        max_packed_refs: int = 64 << 20,
    ) -> None:
        self.max_bytes: Final = max_bytes
        self.max_files: Final = max_files
        self.max_packed_refs: Final = max_packed_refs


class CleanRepo(Slotted):
    """The clean bare copy git mines, and what was read of the upload to make it."""

    __slots__ = ("git_dir", "head", "objects", "shallow", "tags")

    def __init__(
        self, git_dir: Path, head: str | None, tags: int, shallow: bool, objects: int = 0
    ) -> None:
        self.git_dir: Final = git_dir  # our bare copy
        self.head: Final = head  # the commit HEAD resolves to; None for an empty repository
        self.tags: Final = tags  # refs under refs/tags/
        self.shallow: Final = shallow
        # The objects copied, as their files count them (loose files and what the packs' indexes
        # say they hold): a measure of the history's size known before git runs (Split.ends).
        self.objects: Final = objects


class Plan:
    """What `inspect` found safe to copy."""

    __slots__ = ("head", "head_sha", "objects", "refs", "shallow")

    def __init__(self, objects: list[Path]) -> None:
        self.objects = objects  # the objects dir, then alternates
        self.refs: dict[str, str] = {}
        self.head = ""  # the contents to write to HEAD
        self.head_sha: str | None = None
        self.shallow: tuple[str, ...] = ()


def git_dir_of(project: Path, bare: bool) -> Path:
    """The repository directory; a work tree's `.git` must be a real directory."""
    if bare:
        return project
    dot_git = project / ".git"
    if dot_git.is_symlink():
        raise RepoUnsafeError(str(dot_git), ".git is a symbolic link")
    if not dot_git.is_dir():
        raise RepoUnsafeError(str(dot_git), ".git is not a directory (a gitlink file?)")
    return dot_git


def inspect(project: Path, root: Path, *, bare: bool, limits: Limits | None = None) -> Plan:
    """Check an untrusted repository without git (blocking: run in a worker thread)."""
    limits = limits or Limits()
    root = root.resolve()
    git_dir = git_dir_of(project, bare)
    _inside(git_dir, root, git_dir)
    _scan(git_dir, limits)
    _no_foreign_dirs(git_dir, root)
    plan = Plan([git_dir / "objects", *_alternates(git_dir, root, limits)])
    if re.search(rb"objectformat\s*=\s*sha256", _read(git_dir / "config"), re.IGNORECASE):
        raise RepoUnsafeError(str(git_dir), "SHA-256 repositories are not supported")
    plan.refs = _refs(git_dir, limits)
    _head(git_dir, plan)
    try:
        plan.shallow = parse_shallow(_read(git_dir / "shallow"))
    except ValueError as exc:
        raise RepoUnsafeError(str(git_dir / "shallow"), str(exc)) from None
    return plan


def _inside(path: Path, root: Path, culprit: Path) -> None:
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise RepoUnsafeError(str(culprit), "points outside the upload")


def _scan(top: Path, limits: Limits) -> None:
    """No symlinks, no special files, bounded size: every entry is lstat'ed, nothing followed."""
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)  # a string: a Path per entry costs 3x the lstat
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                raise RepoUnsafeError(path, "symbolic link inside the git directory")
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                raise RepoUnsafeError(path, f"not a regular file (mode {st.st_mode:o})")
            files += 1
            size += st.st_size
        if files > limits.max_files or size > limits.max_bytes:
            raise RepoUnsafeError(str(top), f"too large: {files} files, {size} bytes")


def _no_foreign_dirs(git_dir: Path, root: Path) -> None:
    if (git_dir / "commondir").exists():
        target = _read(git_dir / "commondir").strip().decode("utf-8", "replace")
        raise RepoUnsafeError(str(git_dir / "commondir"), f"linked work tree of {target!r}")
    for gitdir_file in sorted(git_dir.glob("worktrees/*/gitdir")):
        target = _read(gitdir_file).strip().decode("utf-8", "replace")
        _inside(gitdir_file.parent / target, root, gitdir_file)


MAX_ALTERNATES = 5  # git itself follows alternates at most 5 levels deep


def _alternates(git_dir: Path, root: Path, limits: Limits) -> list[Path]:
    """`objects/info/alternates` (gitrepository-layout(5)): object dirs inside the upload only,
    each scanned once however often it is listed, and only a few of them."""
    found: list[Path] = []
    listing = git_dir / "objects/info/alternates"
    for line in _read(listing).decode("utf-8", "replace").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        alternate = git_dir / "objects" / line.strip()
        _inside(alternate, root, listing)
        if any(os.path.realpath(alternate) == os.path.realpath(seen) for seen in found):
            continue
        if len(found) == MAX_ALTERNATES:
            raise RepoUnsafeError(str(listing), f"more than {MAX_ALTERNATES} alternates")
        if alternate.is_symlink() or not alternate.is_dir():
            raise RepoUnsafeError(str(alternate), "alternate is not a real directory")
        _scan(alternate, limits)
        found.append(alternate)
    return found


def _read(path: Path, cap: int = _SMALL) -> bytes:
    """A small file's bytes (b"" when absent); longer than `cap` is unsafe."""
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except FileNotFoundError:
        return b""
    if len(data) > cap:
        raise RepoUnsafeError(str(path), f"larger than {cap} bytes")
    return data


def _refs(git_dir: Path, limits: Limits) -> dict[str, str]:
    """packed-refs, then loose refs (which win), keeping branches, tags and remotes."""
    try:
        refs = parse_packed_refs(_read(git_dir / "packed-refs", limits.max_packed_refs))
    except ValueError as exc:
        raise RepoUnsafeError(str(git_dir / "packed-refs"), str(exc)) from None
    for dirpath, _, filenames in os.walk(git_dir / "refs", followlinks=False):
        for name in filenames:
            if name.endswith(".lock"):
                continue  # left by an interrupted git: not a ref (git-update-ref(1))
            path = Path(dirpath, name)
            refname = path.relative_to(git_dir).as_posix()
            if not is_valid_refname(refname):
                raise RepoUnsafeError(str(path), f"invalid ref name {refname!r}")
            try:
                kind, value = parse_ref_value(_read(path))
            except ValueError as exc:
                raise RepoUnsafeError(str(path), str(exc)) from None
            if kind == "sha":  # a symbolic ref such as refs/remotes/origin/HEAD is not needed
                refs[refname] = value
    return {name: sha for name, sha in sorted(refs.items()) if name.startswith(_KEPT_REFS)}


def _head(git_dir: Path, plan: Plan) -> None:
    try:
        kind, value = parse_ref_value(_read(git_dir / "HEAD"))
    except ValueError as exc:
        raise RepoUnsafeError(str(git_dir / "HEAD"), str(exc)) from None
    if kind == "sha":  # a detached HEAD
        plan.head, plan.head_sha = value, value
    else:
        plan.head, plan.head_sha = f"ref: {value}", plan.refs.get(value)


async def clean_copy(project: Path, root: Path, scratch: Path, *, bare: bool) -> CleanRepo:
    """Check `project` and build its clean bare copy under `scratch`, in a worker thread."""
    import asyncio  # here, not at the top: see clean_copy_blocking

    return await asyncio.to_thread(clean_copy_blocking, project, root, scratch, bare=bare)


def clean_copy_blocking(project: Path, root: Path, scratch: Path, *, bare: bool) -> CleanRepo:
    """`clean_copy` in the calling thread: for the start of `artifact-miner mine`, before
    asyncio is imported."""
    plan = inspect(project, root, bare=bare)
    dest = scratch / "repo.git"
    dest.mkdir()
    for directory in _SKELETON:
        (dest / directory).mkdir(parents=True)
    return _clean_repo(plan, dest, populate(plan, dest))


def _clean_repo(plan: Plan, dest: Path, objects: int) -> CleanRepo:
    tags = sum(1 for name in plan.refs if name.startswith("refs/tags/"))
    return CleanRepo(dest, plan.head_sha, tags, bool(plan.shallow), objects)


def populate(plan: Plan, dest: Path) -> int:
    """Write our config, the checked refs, HEAD, shallow and the object files into `dest`: the
    number of objects copied (CleanRepo.objects)."""
    (dest / "config").write_text(_CONFIG)
    packed = "".join(f"{sha} {name}\n" for name, sha in plan.refs.items())
    (dest / "packed-refs").write_text(packed, encoding="utf-8")
    (dest / "HEAD").write_text(plan.head + "\n", encoding="utf-8")
    if plan.shallow:
        (dest / "shallow").write_text("".join(f"{sha}\n" for sha in plan.shallow))
    return sum(_copy_objects(objects, dest / "objects") for objects in plan.objects)


def _copy_objects(source: Path, dest: Path) -> int:
    if not source.is_dir():  # an empty objects/ that the ZIP dropped: nothing to copy
        return 0
    copied = 0
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False) and _LOOSE_DIR.fullmatch(entry.name):
            copied += _copy_loose(entry, dest / entry.name)
    pack_dir = source / "pack"
    if pack_dir.is_dir():
        copied += _copy_packs(pack_dir, dest / "pack")
    return copied


def _copy_loose(directory: os.DirEntry[str], dest: Path) -> int:
    """The loose objects of one `objects/xx/` directory (regular files named by a hash)."""
    copied = 0
    with os.scandir(directory.path) as entries:  # closed even when a link fails midway
        for obj in entries:
            if _LOOSE_FILE.fullmatch(obj.name) and obj.is_file(follow_symlinks=False):
                _link(Path(obj.path), dest / obj.name)
                copied += 1
    return copied


def _copy_packs(pack_dir: Path, dest: Path) -> int:
    """Each pack that has its index, with the index: the objects their indexes count."""
    copied = 0
    for pack in sorted(pack_dir.iterdir()):
        index = pack.with_suffix(".idx")
        if _PACK.fullmatch(pack.name) and index.is_file():
            _link(index, dest / index.name)
            _link(pack, dest / pack.name)
            copied += pack_objects(dest / index.name)
    return copied


def pack_objects(index: Path) -> int:
    """The objects a pack index counts: the last entry of its fan-out table (gitformat-pack(5):
    after a version 2 index's magic and version, at the start of a version 1 index). 0 when it is
    too short; git, not this count, decides whether the pack is sound."""
    with index.open("rb") as f:
        head = f.read(_FANOUT_END + 8)
    start = 8 if head[:4] == _IDX_MAGIC else 0
    last = head[start + _FANOUT_END - 4 : start + _FANOUT_END]
    return int.from_bytes(last, "big") if len(last) == 4 else 0


def _link(source: Path, target: Path) -> None:
    """Hard-link (cheap, and git only reads them); copy when on another file system."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # the same object in an alternate: identical by name (its hash)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
