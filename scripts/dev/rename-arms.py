#!/usr/bin/env python3
"""Renames the arms of a rollout to one vocabulary: `stable` and `canary` (docs/workflow.md, "Words").

The statistics, verdicts, progress, read model and pages once called the stable arm `baseline`
(`baselineN`, `baselineUnits`, `input.baseline()`...). This script rewrites those identifiers in
every tracked source, template and doc file, and leaves alone what is about *versions*:
`baselineVersion` / `baseline_version` (the version a rollout compares with, public API), the
offline eval (it runs the candidate and baseline versions side by side, no arms:
`baselinePassRate`, `maxDropVsBaseline`, everything under `eval/`), the recorded workflow
histories (they must keep the old shape; `@JsonAlias` reads it) and prose ("the baseline" in a
comment or a doc means the baseline version, which is what the stable arm serves).

Idempotent: a second run changes nothing. Re-run it after merging a branch that still writes the
old names:  python3 scripts/dev/rename-arms.py [--check]
A line that must keep an old name (an alias, a test of the old JSON shape, this vocabulary's own
table) carries `@JsonAlias` or the marker `arms-keep`.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".java", ".md", ".ftlh", ".html", ".js", ".sql", ".sh", ".py", ".yml", ".yaml", ".json"}
SKIP = (
    re.compile(r"^workflows/src/test/resources/histories/"),
    re.compile(r"(^|/)eval/"),
    re.compile(r"(^|/)Eval[A-Za-z]*\.java$"),
    re.compile(r"^docs/evals\.md$"),
    re.compile(r"^scripts/dev/rename-arms\.py$"),
    re.compile(r"(^|/)target/"),
    re.compile(r"OldShape[A-Za-z]*\.java$"),  # tests that old JSON still reads: old names on purpose
)
# Identifiers with "baseline" in them that name a version or the eval, never an arm.
KEEP = {
    "baselineVersion",
    "baselinePassRate",
    "baselineNumber",
    "baselineStats",
    "maxDropVsBaseline",
}
# Files where a bare `baseline` in code (a variable, a parameter, a record component such as
# AnalysisInput.baseline) means the stable arm.
ARM_CODE = (
    re.compile(r"^activities/src/(main|test)/java/dev/promptcanary/activities/stats/"),
    re.compile(r"^activities/src/(main|test)/java/dev/promptcanary/activities/rollout/CanaryAnaly"),
    re.compile(r"^bench/src/main/java/dev/promptcanary/bench/(decision|rollback)/"),
    re.compile(r"^workflows/src/main/java/dev/promptcanary/workflows/domain/"),
    re.compile(r"^api/src/main/java/dev/promptcanary/api/ui/"),
)
# Files whose string literals (verdict reasons, stage messages) say "baseline" for the stable arm.
ARM_STRINGS = (
    re.compile(r"^activities/src/(main|test)/java/dev/promptcanary/activities/stats/"),
    re.compile(r"^activities/src/(main|test)/java/dev/promptcanary/activities/rollout/CanaryAnaly"),
    re.compile(r"^workflows/src/(main|test)/java/dev/promptcanary/workflows/rollout/RolloutWorkflow"),
)
MARKERS = ("@JsonAlias", "arms-keep")

COMPOUND = re.compile(r"\b[A-Za-z_]*(?:baseline(?=[A-Z_0-9])|(?<=[a-z0-9])Baseline)[A-Za-z0-9_]*\b")


def rename_identifier(m):
    word = m.group(0)
    if word in KEEP or "baseline_version" in word:
        return word
    word = re.sub(r"^baseline(?=[A-Z_0-9])", "stable", word)
    return re.sub(r"(?<=[a-z0-9])Baseline", "Stable", word)


ARM_PHRASE = re.compile(r"\bbaseline arm\b")


def rename_line(line):
    return ARM_PHRASE.sub("stable arm", COMPOUND.sub(rename_identifier, line))


def rename_compound(text):
    return "".join(
        line if any(m in line for m in MARKERS) else rename_line(line)
        for line in text.splitlines(keepends=True)
    )


JAVA_TOKEN = re.compile(
    r'"""(?:\\.|[^\\])*?"""'  # text block
    r'|"(?:\\.|[^"\\\n])*"'  # string literal
    r"|'(?:\\.|[^'\\\n])+'"  # char literal
    r"|//[^\n]*"  # line comment
    r"|/\*.*?\*/",  # block comment, javadoc
    re.S,
)
BARE = re.compile(r"\bbaseline\b")


def in_strings(literal):
    literal = re.sub(r"\bthe baseline's\b", "the stable arm's", literal)
    return BARE.sub("stable", literal)


def in_comment(comment):
    # Only a parameter's name follows the code; the prose keeps "baseline" (the version).
    return re.sub(r"(@param\s+)baseline\b", r"\1stable", comment)


def rename_bare_java(text, code, strings):
    out, last = [], 0
    for m in JAVA_TOKEN.finditer(text):
        segment = text[last : m.start()]
        out.append(BARE.sub("stable", segment) if code else segment)
        token = m.group(0)
        if token.startswith(("//", "/*")):
            out.append(in_comment(token) if code else token)
        elif token.startswith('"') and strings:
            out.append(in_strings(token))
        else:
            out.append(token)
        last = m.end()
    tail = text[last:]
    out.append(BARE.sub("stable", tail) if code else tail)
    return "".join(out)


def keep_marked_lines(before, after):
    """A marked line stays exactly as it was, even if the bare-word pass touched it."""
    b, a = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if len(b) != len(a):
        return after
    return "".join(x if any(m in x for m in MARKERS) else y for x, y in zip(b, a))


def rename(path, text):
    renamed = rename_compound(text)
    if path.endswith(".java"):
        code = any(p.search(path) for p in ARM_CODE)
        strings = any(p.search(path) for p in ARM_STRINGS)
        if code or strings:
            renamed = keep_marked_lines(text, rename_bare_java(renamed, code, strings))
    return renamed


def tracked_files():
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return [
        p
        for p in listed
        if Path(p).suffix in SUFFIXES and not any(s.search(p) for s in SKIP) and (ROOT / p).is_file()
    ]


def main(argv):
    check = "--check" in argv
    changed = []
    for path in tracked_files():
        file = ROOT / path
        text = file.read_text(encoding="utf-8")
        renamed = rename(path, text)
        if renamed != text:
            changed.append(path)
            if not check:
                file.write_text(renamed, encoding="utf-8")
    for path in changed:
        print(("would rename in " if check else "renamed in ") + path)
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
