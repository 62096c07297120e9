"""deploy/Dockerfile read as Docker reads it, and the build context as Docker sends it.

`parse` knows only the instructions and flags the file uses today and raises on any other, so a
new instruction cannot slip past tests/deploy/test_image_replay.py unreplayed. `build_context`
applies .dockerignore with the semantics of moby's patternmatcher (docs: "Dockerfile reference,
.dockerignore file"): each line trimmed, `#` lines and blank lines skipped, a leading `!` makes an
exception, the pattern cleaned like Go's filepath.Clean with a leading `/` dropped; `*` and `?`
never cross `/`, `[...]` is a character class, `\\` escapes, `**` matches any number of
directories (zero included); a pattern excludes a path when it matches the path or any of its
parent directories, and the last matching line decides."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HANDLED = {"FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE", "CMD"}
COPY_FLAGS = {"--from"}


class Unhandled(Exception):
    """An instruction, flag or form the replay does not know: teach it before trusting the test."""


@dataclass
class Instruction:
    keyword: str
    args: str  # continuation lines joined, comments removed
    line: int

    @property
    def text(self) -> str:
        return f"{self.keyword} {self.args}"


@dataclass
class Stage:
    image: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, instruction) with `\\` continuations joined and comment lines dropped."""
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        out.append((start, buffer.strip()))
        buffer = ""
    if buffer:
        raise Unhandled(f"line {start}: a continuation runs off the end of the file")
    return out


def parse(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for number, line in _logical_lines(text):
        keyword, _sep, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword not in HANDLED:
            raise Unhandled(f"line {number}: {keyword} is not replayed (tests/deploy/dockerfile.py)")
        if keyword == "FROM":
            words = args.split()
            if len(words) == 3 and words[1].upper() == "AS":
                stages.append(Stage(image=words[0], name=words[2]))
            elif len(words) == 1:
                stages.append(Stage(image=words[0], name=str(len(stages))))
            else:
                raise Unhandled(f"line {number}: FROM {args}")
            continue
        if not stages:
            raise Unhandled(f"line {number}: {keyword} before FROM")
        if keyword == "COPY":
            flags = [word.split("=")[0] for word in args.split() if word.startswith("--")]
            if set(flags) - COPY_FLAGS:
                raise Unhandled(f"line {number}: COPY {' '.join(flags)}")
        if keyword in {"RUN", "CMD"} and args.startswith("--"):
            raise Unhandled(f"line {number}: {keyword} flags ({args.split()[0]})")
        stages[-1].instructions.append(Instruction(keyword, args, number))
    return stages


def parse_env(args: str) -> list[tuple[str, str]]:
    """ENV's `NAME=value ...` form (the only one used); `$NAME`/`${NAME}` left for the caller."""
    pairs = []
    for word in shlex.split(args):
        name, sep, value = word.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise Unhandled(f"ENV {args}: only the NAME=value form is replayed")
        pairs.append((name, value))
    return pairs


def parse_copy(args: str) -> tuple[str | None, list[str], str]:
    """(--from stage or None, sources, destination); the JSON form is not used and so refused."""
    if args.lstrip().startswith("["):
        raise Unhandled(f"COPY {args}: the JSON form is not replayed")
    words = args.split()
    source_stage = None
    while words and words[0].startswith("--"):
        flag = words.pop(0)
        source_stage = flag.split("=", 1)[1]
    if len(words) < 2 or any(ch in "".join(words) for ch in "*?[$"):
        raise Unhandled(f"COPY {args}: wildcards and variables are not replayed")
    return source_stage, words[:-1], words[-1]


def exec_form(args: str) -> list[str]:
    command = json.loads(args)
    if not (isinstance(command, list) and all(isinstance(word, str) for word in command)):
        raise Unhandled(f"CMD {args}: only the exec (JSON) form is replayed")
    return command


# --- .dockerignore ----------------------------------------------------------------------------


def _clean(pattern: str) -> str:
    cleaned = posixpath.normpath(pattern)
    cleaned = cleaned.lstrip("/") if cleaned != "/" else ""
    return "" if cleaned == "." else cleaned


def _regex(pattern: str) -> re.Pattern[str]:
    """moby/patternmatcher's translation of one pattern to a regular expression."""
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*" and pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out += ".*" if i >= len(pattern) else "(.*/)?"
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\":
            i += 1
            if i >= len(pattern):
                raise Unhandled(f".dockerignore: {pattern!r} ends in an escape")
            out += re.escape(pattern[i])
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise Unhandled(f".dockerignore: {pattern!r} has an unterminated [")
            out += pattern[i : end + 1]
            i = end
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + "$")


class DockerIgnore:
    def __init__(self, text: str):
        self.rules: list[tuple[bool, re.Pattern[str]]] = []
        self.literals: list[str] = []  # each rule's fixed leading text ("" when it has `**`)
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exception = line.startswith("!")
            if exception:
                line = line[1:].strip()
                if not line:
                    raise Unhandled(".dockerignore: a bare `!`")
            pattern = _clean(line)
            if pattern:
                self.rules.append((exception, _regex(pattern)))
                self.literals.append(re.split(r"[*?\\[]", pattern)[0] if "**" not in pattern else "")

    def excludes(self, path: str) -> bool:
        """Whether `path` (relative to the context root, `/`-separated) stays out of the context."""
        parts = path.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for exception, regex in self.rules:
            if any(regex.match(candidate) for candidate in candidates):
                excluded = not exception
        return excluded

    def prunes(self, folder: str) -> bool:
        """Whether every file under `folder` is excluded: it is, and no exception after the last rule
        matching it (or a parent) could match anything beneath it. Only saves walking."""
        if not self.excludes(folder):
            return False
        parts = folder.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        last = max(i for i, (_e, regex) in enumerate(self.rules) if any(regex.match(c) for c in candidates))
        below = folder + "/"
        return not any(
            exception and (below.startswith(literal) or literal.startswith(below))
            for exception, literal in zip(
                (e for e, _r in self.rules[last + 1 :]), self.literals[last + 1 :], strict=True
            )
        )


def working_tree_files(root: Path, ignore: DockerIgnore | None = None) -> list[str]:
    """Every file the working tree holds, untracked and ignored ones included (what `docker build .`
    walks); with `ignore`, directories whose every file it excludes are not entered."""
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in list(dirs):
            if (Path(folder) / name).is_symlink():
                dirs.remove(name)
                files.append(name)  # a link is sent as a link, never followed
            elif ignore is not None and ignore.prunes(prefix + name):
                dirs.remove(name)
        out.extend(prefix + name for name in files)
    return sorted(out)


def build_context(root: Path) -> list[str]:
    """The files `docker build` sends from `root` (the repository), as relative paths."""
    ignore = DockerIgnore((root / ".dockerignore").read_text())
    return [path for path in working_tree_files(root, ignore) if not ignore.excludes(path)]


def git_files(root: Path) -> list[str]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    return sorted(name for name in done.stdout.decode().split("\0") if name)


def digest(root: Path, paths: list[str]) -> str:
    """Content hash of `paths` under `root` (names, modes and bytes), like Docker's COPY cache key."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        full = root / path
        hasher.update(path.encode() + b"\0")
        if full.is_symlink():
            hasher.update(b"->" + str(full.readlink()).encode())
        else:
            hasher.update(oct(full.stat().st_mode & 0o111).encode())
            hasher.update(hashlib.sha256(full.read_bytes()).digest())
    return hasher.hexdigest()
