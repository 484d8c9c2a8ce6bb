"""`make bench-truth TRUTH_REPOS=dir`: is every claim about an author true on real repositories?

For each labelled repository of bench/truth_labels.json found in TRUTH_REPOS (clones made
outside this repository; bare or with a work tree), it mines the clone with the label's
long-time author as the user and prints:

* frameworks: precision and recall of our detections against the labels (read by hand from
  the manifests), and what was missed or extra;
* languages: our shares of programming + markup bytes (the kinds linguist counts) against
  `github-linguist <clone> --json` (Debian package ruby-github-linguist), the largest
  difference in points; skipped when github-linguist is not installed;
* the author: share and lines as mined, the share recomputed from `git log --no-merges`
  (mailmapped emails, bots left out by mining/history/bots.py), whether every percentage in the
  author's bullets equals it, and every credited skill with the first date the author touched
  its evidence - none may be after the author's last commit, none may be missing ("-"), and
  none may be before the tool entered the files declaring it (recomputed here from git: the
  oldest commit adding a line that names the tool, `git log -G`, else the file's first commit).

Then pooled precision and recall. Goals (issue 9): precision >= 0.98, recall >= 0.95, every
language within 2 points, every bullet percentage exact, no skill dated after the author left,
every skill dated, none dated before its evidence existed. Exits 1 when a skill is undated or
dated before its evidence.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mining.analyze import analyze_portfolio
from mining.analyze.signals import signals_of
from mining.git.discover import DiscoveredProject, project_name
from mining.git.runner import GitRunner, HardenedGitRunner
from mining.history import bots
from mining.pipeline import mine_project
from mining.records import Identity, LanguageKind, ProjectKind, ProjectReport
from mining.tree.registry import REGISTRY

LABELS = Path(__file__).with_name("truth_labels.json")
LINGUIST = Path(__file__).with_name("truth_linguist.json")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s?%")
_DECLARED = re.compile(r"\) declared in (.+)$")
_SHARE = re.compile(r"authored ([\d,]+) of ([\d,]+) non-merge commits[^(]*\((\d+)%\)")


def run_linguist(clone: Path) -> dict[str, float] | None:
    """github-linguist's percentages at the clone's HEAD, or None when it is not installed
    (it reads a bare clone's HEAD tree as it reads a checkout's: both through Rugged)."""
    tool = shutil.which("github-linguist")
    if tool is None:
        return None
    out = subprocess.run([tool, str(clone), "--json"], capture_output=True, check=True).stdout
    return {name: float(v["percentage"]) for name, v in json.loads(out).items()}


def stored_linguist(clone: Path, head: str) -> dict[str, float] | None:
    """The percentages stored in bench/truth_linguist.json for this clone at this commit."""
    stored = json.loads(LINGUIST.read_text())["repositories"].get(clone.name)
    if stored is None or stored["commit"] != head:
        return None
    return {k: float(v) for k, v in stored["percentages"].items()}


def linguist(clone: Path, head: str) -> dict[str, float] | None:
    """Stored figures when they are for this HEAD (linguist takes minutes over the corpus),
    else github-linguist run now; TRUTH_LINGUIST=run always runs it."""
    if os.environ.get("TRUTH_LINGUIST") != "run":
        stored = stored_linguist(clone, head)
        if stored is not None:
            return stored
    return run_linguist(clone)


# linguist's statistics name a language's group (languages.yml `group:`): ERB templates are HTML.
LINGUIST_GROUPS = {"HTML+ERB": "HTML", "HTML+Razor": "HTML", "BibTeX": "TeX"}


def ours(report: ProjectReport) -> dict[str, float]:
    counted = (LanguageKind.PROGRAMMING, LanguageKind.MARKUP)
    grouped: dict[str, int] = {}
    for s in report.languages.shares:
        if s.kind in counted:
            name = LINGUIST_GROUPS.get(s.name, s.name)
            grouped[name] = grouped.get(name, 0) + s.bytes
    total = sum(grouped.values()) or 1
    return {name: round(100 * size / total, 2) for name, size in grouped.items()}


async def recomputed_share(clone: Path, runner: GitRunner, email: str) -> tuple[int, int]:
    """(author's, people's) non-merge commits on HEAD, from git itself."""
    bare = (clone / "HEAD").exists() and not (clone / ".git").exists()
    git_dir = clone if bare else clone / ".git"
    out = await runner.run(["log", "--no-merges", "--format=%aN%x00%aE", "HEAD"], git_dir=git_dir)
    mine = people = 0
    for line in out.decode("utf-8", "replace").splitlines():
        name, _, address = line.partition("\0")
        if bots.is_bot(name, address):
            continue
        people += 1
        mine += address.strip().lower() == email
    return mine, people


async def one(label: dict[str, Any], root: Path, runner: GitRunner) -> dict[str, Any] | None:
    clone = root / label["clone"]
    if not clone.exists():
        return None
    kind = ProjectKind.WORKTREE if (clone / ".git").exists() else ProjectKind.BARE
    project = DiscoveredProject(project_name(clone.name), clone.name, clone, kind)
    identity = Identity.of(label["author"])
    report = await mine_project(project, identity, runner)
    now = datetime.now(UTC)
    analysis = analyze_portfolio([report], identity, now=now).projects[0]
    found = {d.name for d in report.frameworks}
    wanted = set(label["frameworks"])
    mine, people = await recomputed_share(clone, runner, label["author"])
    git_dir = clone if kind is ProjectKind.BARE else clone / ".git"
    head = (await runner.run(["rev-parse", "HEAD"], git_dir=git_dir)).decode().strip()
    return {
        "label": label,
        "report": report,
        "analysis": analysis,
        "tp": len(found & wanted),
        "fp": sorted(found - wanted),
        "fn": sorted(wanted - found),
        "linguist": await asyncio.to_thread(linguist, clone, head),
        "head": head,
        "ours": ours(report),
        "git_share": (mine, people),
        "clone": clone,
    }


def _name_pattern(name: str) -> str:
    """A case-insensitive basic regular expression for the tool's name or any of its package
    names (git log -G: `mongoid` names MongoDB in a Gemfile)."""
    entry = next((e for e in REGISTRY if e.name == name), None)
    spellings = {name, *(p for ps in (entry.packages.values() if entry else ()) for p in ps)}

    def one(word: str) -> str:
        word = word.rstrip("*")
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else f"[{c}]" for c in word)

    return "\\|".join(one(w) for w in sorted(spellings) if w.rstrip("*"))


async def entered(clone: Path, runner: GitRunner, name: str, path: str) -> str | None:
    """The UTC day `name` entered `path` (oldest non-merge commit adding or removing a line
    naming it, else the file's first commit), from git itself; None when the path has no
    history."""
    bare = (clone / "HEAD").exists() and not (clone / ".git").exists()
    git_dir = clone if bare else clone / ".git"
    base = ["log", "--no-merges", "--format=%at", "HEAD", "--", f":(literal){path}"]
    named = await runner.run([*base[:2], f"-G{_name_pattern(name)}", *base[2:]], git_dir=git_dir)
    stamps = named.split() or (await runner.run(base, git_dir=git_dir)).split()
    first = min((int(s) for s in stamps), default=None)
    return None if first is None else f"{datetime.fromtimestamp(first, UTC):%Y-%m-%d}"


async def skill_dates(result: dict[str, Any], runner: GitRunner) -> None:
    """Each credited skill's first date and the day its declaring files first named it."""
    clone = result["clone"]
    signals = signals_of(result["report"])
    rows = []
    for skill in result["analysis"].user_skills:
        dates = sorted(d for e in skill.evidence for d in _DATE.findall(e))
        declared = next((m.group(1) for e in skill.evidence if (m := _DECLARED.search(e))), "")
        tool = signals.tool(skill.name)
        # Its declaring files and, for a tool known from its own files, those too (a workflow).
        paths = {*declared.split(", "), *(tool.sources if tool is not None else ())} - {""}
        since = [
            day
            for path in sorted(paths)
            if (day := await entered(clone, runner, skill.name, path)) is not None
        ]
        rows.append((skill.name, dates[0] if dates else "-", min(since, default=None)))
    result["skill_dates"] = rows


def _print(result: dict[str, Any]) -> None:
    label, report, analysis = result["label"], result["report"], result["analysis"]
    tp, fp, fn = result["tp"], result["fp"], result["fn"]
    precision = tp / (tp + len(fp)) if tp + len(fp) else 1.0
    recall = tp / (tp + len(fn)) if tp + len(fn) else 1.0
    print(f"== {label['name']} ({label['ecosystem']}), author {label['author']}")
    print(f"  frameworks: precision {precision:.2f} recall {recall:.2f}  extra {fp}  missed {fn}")
    print(f"  primary: ours {report.languages.primary}, label {label['primary']}")
    if result["linguist"] is not None:
        theirs, mine = result["linguist"], result["ours"]
        diff = {
            n: round(mine.get(n, 0.0) - theirs.get(n, 0.0), 2) for n in sorted({*theirs, *mine})
        }
        worst = max(diff.items(), key=lambda kv: abs(kv[1]), default=("-", 0.0))
        result["worst"] = worst
        print(f"  languages: ours {mine}")
        print(f"             linguist {theirs}")
        print(f"             largest difference {worst[0]} {worst[1]:+.2f} points")
    user = report.history.user if report.history else None
    if user is None or not user.commits:
        print("  author: no commit on HEAD")
        return
    mine_n, people = result["git_share"]
    exact = round(100 * mine_n / people) if people else 0
    print(
        f"  author: {user.commits} commits, share {user.share_percent:.2f}% of "
        f"{report.history.share_base}; git: {mine_n} of {people} ({exact}%); "
        f"lines +{user.added}/-{user.deleted}; last commit {user.last_commit:%Y-%m-%d}"
    )
    for item in analysis.resume_items:
        shares = _SHARE.findall(item.content)
        for n, m, p in shares:
            ok = (int(n.replace(",", "")), int(m.replace(",", "")), int(p)) == (
                mine_n,
                people,
                exact,
            )
            result["bullets_ok"] &= ok
            print(f"  bullet share {n} of {m} ({p}%): {'equal to git' if ok else 'DIFFERENT'}")
        # Any other percentage in a bullet is a claim this bench cannot check: flag it.
        others = len(_PERCENT.findall(item.content)) - len(shares)
        if others:
            result["bullets_ok"] = False
            print(f"  bullet with a percentage not recomputed here: {item.content!r}")
    late = undated = early = 0
    result["author_ok"] = True
    for name, first, since in result["skill_dates"]:
        note = ""
        if first == "-":
            undated += 1
            note = "  UNDATED"
        elif user.last_commit is not None and first > f"{user.last_commit:%F}":
            late += 1
            note = "  AFTER THE AUTHOR LEFT"
        elif since is not None and first < since:
            early += 1
            note = f"  BEFORE IT ENTERED ITS FILES ({since})"
        print(f"    skill {name}: first touched {first}{note}")
    print(
        f"  skills dated after the author's last commit: {late}; undated: {undated}; "
        f"dated before their evidence: {early}"
    )
    result.update(late=late, undated=undated, early=early)


def main() -> int:
    root = os.environ.get("TRUTH_REPOS")
    if not root:
        print("set TRUTH_REPOS to a directory of clones (see bench/truth_labels.json)")
        return 2
    labels = json.loads(LABELS.read_text())["repositories"]
    results = asyncio.run(mine_all(labels, Path(root).resolve()))
    report(results)
    return 1 if any(r["undated"] or r["early"] for r in results) else 0


async def mine_all(labels: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    runner = HardenedGitRunner(ceiling=root, timeout=1800)
    try:
        results = [r for label in labels if (r := await one(label, root, runner))]
        for result in results:
            await skill_dates(result, runner)
        return results
    finally:
        runner.close()


def report(results: list[dict[str, Any]]) -> None:
    for result in results:
        result.update(bullets_ok=True, late=0, undated=0, early=0, worst=None)
        _print(result)
    print()
    print(
        f"{'repository':<12} {'eco':<10} {'prec':>5} {'rec':>5}  {'language gap':<26} "
        f"{'author share':<22} {'bullets':<8} late undated early"
    )
    for r in results:
        tp, fp, fn = r["tp"], len(r["fp"]), len(r["fn"])
        worst = r["worst"]
        gap = "-" if worst is None else f"{worst[0]} {worst[1]:+.2f}"
        user = r["report"].history.user if r["report"].history else None
        share = "-" if user is None else f"{r['git_share'][0]} of {r['git_share'][1]}"
        print(
            f"{r['label']['name']:<12} {r['label']['ecosystem']:<10} "
            f"{tp / (tp + fp) if tp + fp else 1:>5.2f} {tp / (tp + fn) if tp + fn else 1:>5.2f}  "
            f"{gap:<26} {share:<22} {'exact' if r['bullets_ok'] else 'WRONG':<8} "
            f"{r['late']:>4} {r['undated']:>7} {r['early']:>5}"
        )
    tp = sum(r["tp"] for r in results)
    fp = sum(len(r["fp"]) for r in results)
    fn = sum(len(r["fn"]) for r in results)
    gaps = [abs(r["worst"][1]) for r in results if r["worst"] is not None]
    ecosystems = len({r["label"]["ecosystem"] for r in results})
    print(
        f"== pooled over {len(results)} repositories ({ecosystems} ecosystems): framework "
        f"precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f}"
    )
    print(
        f"== languages: largest gap to linguist {max(gaps, default=0.0):.2f} points; "
        f"{sum(g > 2 for g in gaps)} of {len(gaps)} repositories over 2 points"
    )
    print(
        f"== authors: bullets exact in {sum(r['bullets_ok'] for r in results)} of {len(results)}; "
        f"skills dated after the author's last commit: {sum(r['late'] for r in results)}; "
        f"undated: {sum(r['undated'] for r in results)}; "
        f"dated before their evidence: {sum(r['early'] for r in results)}"
    )


if __name__ == "__main__":
    sys.exit(main())
