"""Property-based fuzzing of the `git log -z --numstat` parser.

Valid streams are rendered from generated commits, so the expected records are known; the
properties: any chunking gives the same commits as the whole stream and as the records rendered;
arbitrary bytes, and valid streams with bytes overwritten, cut or spliced, raise ValueError (the
parser's documented error) or nothing. Examples are bounded to keep CI fast.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mining.parse import Commit, LogParser, ModificationType, ModifiedFile

FUZZ = settings(max_examples=100, deadline=None)

_SHA = st.text("0123456789abcdef", min_size=40, max_size=40)
# Anything git can put in a name, email or path except NUL (the token separator); valid UTF-8
# so that decoding is the identity and the records can be compared with what was rendered;
# no control or format (bidi) characters, which the parser strips (mining/text.py).
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cf"), codec="utf-8"), max_size=12)
_PATH = _TEXT.filter(bool)
_LINES = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
_WHEN = st.integers(min_value=0, max_value=4_102_444_800)  # up to 2100


@st.composite
def _files(draw: st.DrawFn) -> ModifiedFile:
    path = draw(_PATH)
    # numstat prints "-" for both counts of a binary file, numbers for both otherwise.
    added = draw(_LINES)
    deleted = None if added is None else draw(st.integers(min_value=0, max_value=10**9))
    if draw(st.booleans()):
        return ModifiedFile(path, draw(_PATH), added, deleted, ModificationType.RENAME)
    return ModifiedFile(path, None, added, deleted, ModificationType.MODIFY)


@st.composite
def _commits(draw: st.DrawFn) -> Commit:
    return Commit(
        hash=draw(_SHA),
        parents=tuple(draw(st.lists(_SHA, max_size=3))),
        author_name=draw(_TEXT),
        author_email=draw(_TEXT),
        original_email=draw(_TEXT),
        author_date=datetime.fromtimestamp(draw(_WHEN), UTC),
        modified_files=tuple(draw(st.lists(_files(), max_size=4))),
    )


def _count(value: int | None) -> bytes:
    return b"-" if value is None else str(value).encode()


def _render(commit: Commit) -> bytes:
    """What `git log -z --numstat --format=LOG_FORMAT` prints for `commit`."""
    fields = [
        commit.hash,
        " ".join(commit.parents),
        commit.author_name,
        commit.author_email,
        commit.original_email,
        str(int(commit.author_date.timestamp())),
    ]
    out = b"\x1e" + b"".join(field.encode() + b"\0" for field in fields)
    for index, file in enumerate(commit.modified_files):
        stat = _count(file.added_lines) + b"\t" + _count(file.deleted_lines) + b"\t"
        if file.old_path is None:
            token = stat + file.new_path.encode() + b"\0"
        else:
            token = stat + b"\0" + file.old_path.encode() + b"\0" + file.new_path.encode() + b"\0"
        out += (b"\n" if index == 0 else b"") + token
    return out


def _parse(chunks: list[bytes]) -> list[Commit]:
    parser = LogParser()
    commits = [commit for chunk in chunks for commit in parser.feed(chunk)]
    return commits + parser.flush()


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@FUZZ
@given(st.lists(_commits(), max_size=5), st.lists(st.integers(min_value=0, max_value=4000)))
def test_any_chunking_of_a_valid_stream_gives_the_rendered_commits(
    commits: list[Commit], cuts: list[int]
) -> None:
    stream = b"".join(_render(commit) for commit in commits)
    assert _parse([stream]) == commits
    assert _parse(_split(stream, cuts)) == commits


def _only_value_errors(chunks: list[bytes]) -> None:
    try:
        commits = _parse(chunks)
    except ValueError:
        return
    assert all(isinstance(commit, Commit) for commit in commits)


@FUZZ
@given(st.lists(st.binary(max_size=64), max_size=8))
def test_arbitrary_bytes_raise_only_value_error(chunks: list[bytes]) -> None:
    _only_value_errors(chunks)


# Header fields and stat tokens of the shapes the parser expects, with hostile values:
# out-of-range and signed timestamps, non-ASCII hashes, stats without tabs or with non-numbers.
_FIELD = st.one_of(
    st.sampled_from([b"a" * 40, b"", b"0", b"1700000000", b"9" * 30, b"-9" + b"9" * 20]),
    st.sampled_from([b"99999999999", b"253402300800", b"1e5", b" 7", b"+1", b"\xff", b"\x1e"]),
    st.binary(max_size=6).map(lambda raw: raw.replace(b"\0", b"")),
)
_STAT = st.one_of(
    st.sampled_from([b"\n1\t2\tp", b"-\t-\tp", b"1\t2\t", b"x\ty\tz", b"\n\t\t", b"1\t2"]),
    st.sampled_from([b"-1\t-\tp", b"9" * 30 + b"\t0\tp", b"", b"\x1e"]),
    _FIELD,
)  # fmt: skip
_RECORD = st.builds(
    lambda fields, stats: [b"\x1e" + fields[0], *fields[1:], *stats],
    st.lists(_FIELD, min_size=1, max_size=8),
    st.lists(_STAT, max_size=4),
)


@FUZZ
@given(st.lists(_RECORD, max_size=4), st.lists(st.integers(min_value=0, max_value=300)))
def test_hostile_fields_raise_only_value_error(records: list[list[bytes]], cuts: list[int]) -> None:
    stream = b"\0".join(token for record in records for token in record)
    _only_value_errors(_split(stream, cuts))


# Bytes that steer the parser into its branches: separators, tabs, digits, signs, newlines.
_NOISE = st.binary(max_size=12) | st.lists(
    st.sampled_from([b"\x1e", b"\0", b"\t", b"\n", b"-", b"9" * 30, b"\xff", b" ", b"+1"]),
    max_size=6,
).map(b"".join)


@FUZZ
@given(
    st.lists(_commits(), min_size=1, max_size=3),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=20),
    _NOISE,
    st.lists(st.integers(min_value=0, max_value=2000), max_size=6),
)
def test_damaged_valid_streams_raise_only_value_error(
    commits: list[Commit], at: int, drop: int, noise: bytes, cuts: list[int]
) -> None:
    stream = b"".join(_render(commit) for commit in commits)
    at = min(at, len(stream))
    damaged = stream[:at] + noise + stream[at + drop :]
    # Chunking never changes the outcome, be it records or the error.
    whole: list[Commit] | str
    try:
        whole = _parse([damaged])
    except ValueError:
        whole = "ValueError"
    try:
        split: list[Commit] | str = _parse(_split(damaged, cuts))
    except ValueError:
        split = "ValueError"
    assert split == whole
