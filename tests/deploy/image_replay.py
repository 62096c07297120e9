"""Replays deploy/Dockerfile without Docker: each stage's filesystem is a folder (an absolute path `/x`
of the image is `<stage root>/x`), COPY takes from the build context .dockerignore leaves, and each
RUN runs its commands here the equivalent way (the same npm and pip invocations, Debian's
python3.11 and Node 20 standing in for the base images). A RUN holding a command not listed in
`_run_one` fails the replay, as does any instruction tests/deploy/dockerfile.py does not parse.

Layers are cached as Docker caches them: the key of a step is the previous key, the instruction's
text and, for COPY, the bytes copied (the source stage's key for COPY --from), so `npm ci` is reused
until a lock file changes and a stage is not rebuilt until something it copies changes. The cache
lives in $WUYE_IMAGE_REPLAY_CACHE (default /tmp/wuye-image-replay); entries unused for two days go."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy import dockerfile
from tests.deploy.dockerfile import Instruction, Stage, Unhandled

CACHE = Path(os.environ.get("WUYE_IMAGE_REPLAY_CACHE", "/tmp/wuye-image-replay"))
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BASE_PYTHON = "/usr/bin/python3.11"
KEEP_SECONDS = 2 * 24 * 3600
# Host settings the package clients need here (index, certificates, proxies), passed to RUN.
PASSED = re.compile(r"^(PIP_|npm_config_|NPM_CONFIG_|SSL_CERT|REQUESTS_CA_BUNDLE$|https?_proxy$|no_proxy$)", re.I)


# Bumped when the cache's layout or how layers are copied changes: older layers are not reused.
LAYOUT = "layers-2 (owners kept)"


def _copy_layer(source: Path, target: Path) -> None:
    """A layer's files with their owners, modes and links (a RUN chown's result is part of the
    image; shutil.copytree would hand every file to whoever runs the test)."""
    subprocess.run(["cp", "-a", f"{source}/.", str(target)], check=True)


def _python_shim() -> str:
    """A folder whose `python` is Debian's python3.11, as /usr/local/bin/python is in python:3.11."""
    shim = CACHE / "base" / "python3.11-bin"
    if not (shim / "python").exists():
        shim.mkdir(parents=True, exist_ok=True)
        link = shim / f"python.{os.getpid()}"
        link.symlink_to(BASE_PYTHON)
        link.replace(shim / "python")
    return str(shim)


def _node_major() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()


BASE_IMAGES = {
    # image: (its environment, a check that the stand-in here is the same major version)
    "node:20-bookworm-slim": (lambda: {"PATH": DEFAULT_PATH}, lambda: _node_major().startswith("v20.")),
    "python:3.11-slim-bookworm": (
        lambda: {"PATH": f"{_python_shim()}:{DEFAULT_PATH}", "LANG": "C.UTF-8"},
        lambda: Path(BASE_PYTHON).exists(),
    ),
}


@dataclass
class State:
    """A stage's metadata while replaying: environment, working directory, user, users it added."""

    root: Path
    env: dict[str, str]
    workdir: str = "/"
    user: str = "0"
    users: dict[str, tuple[int, str]] = field(default_factory=dict)  # name: (uid, home)
    cmd: list[str] | None = None
    mounts: dict[str, Path] = field(default_factory=dict)  # image folder: host folder (volumes)

    def path(self, image_path: str) -> Path:
        """The image's path here (relative ones from WORKDIR; a mounted volume's own folder)."""
        full = image_path if image_path.startswith("/") else f"{self.workdir.rstrip('/')}/{image_path}"
        for mount, host in self.mounts.items():
            if full == mount or full.startswith(mount.rstrip("/") + "/"):
                return host / full[len(mount) :].lstrip("/")
        return self.root / full.lstrip("/")


@dataclass
class Built:
    """A replayed stage: its final filesystem (a cache folder, read-only by convention) and metadata."""

    stage: Stage
    key: str
    root: Path
    state: State


class Replay:
    def __init__(self, repo: Path, log=print):
        self.repo = repo
        self.log = log
        self.stages = dockerfile.parse((repo / "deploy" / "Dockerfile").read_text())
        self.context = dockerfile.build_context(repo)
        self.context_set = set(self.context)
        self.built: dict[str, Built] = {}
        (CACHE / "layers").mkdir(parents=True, exist_ok=True)
        os.chmod(CACHE, 0o755)
        os.chmod(CACHE / "layers", 0o755)

    # --- keys -------------------------------------------------------------------------------

    def _copy_sources(self, args: str) -> list[str]:
        """Context files a COPY (not --from) takes; a source that is not in the context fails, as in Docker."""
        _stage, sources, _dest = dockerfile.parse_copy(args)
        taken: list[str] = []
        for source in sources:
            name = source.strip("/").removeprefix("./")
            inside = [path for path in self.context if path == name or path.startswith(name + "/")]
            if not inside:
                raise AssertionError(f"COPY {args}: {source} is not in the build context (.dockerignore)")
            taken += inside
        return taken

    def _keys(self, stage: Stage) -> list[str]:
        key = hashlib.sha256(f"{LAYOUT}\nFROM {stage.image}".encode()).hexdigest()
        keys = []
        for instruction in stage.instructions:
            extra = ""
            if instruction.keyword == "COPY":
                source_stage, _sources, _dest = dockerfile.parse_copy(instruction.args)
                if source_stage is None:
                    extra = dockerfile.digest(self.repo, self._copy_sources(instruction.args))
                else:
                    extra = self.build(source_stage).key
            key = hashlib.sha256(f"{key}\n{instruction.text}\n{extra}".encode()).hexdigest()
            keys.append(key)
        return keys

    # --- building ---------------------------------------------------------------------------

    def build(self, name: str) -> Built:
        if name in self.built:
            return self.built[name]
        stage = next((stage for stage in self.stages if stage.name == name), None)
        if stage is None:
            raise Unhandled(f"COPY --from={name}: no such stage (images as sources are not replayed)")
        if stage.image not in BASE_IMAGES:
            raise Unhandled(f"FROM {stage.image}: no stand-in for this base image (tests/deploy/image_replay.py)")
        base_env, check = BASE_IMAGES[stage.image]
        assert check(), f"{stage.image}: the stand-in on this machine is not the same version"
        keys = self._keys(stage)
        runs = [i for i, instruction in enumerate(stage.instructions) if instruction.keyword == "RUN"]
        final = CACHE / "layers" / keys[-1]
        if final.is_dir():
            start, work = len(stage.instructions), final
        else:
            cached = [i for i in runs if (CACHE / "layers" / keys[i]).is_dir()]
            work = Path(tempfile.mkdtemp(prefix=f"{name}.", dir=CACHE / "layers"))
            os.chmod(work, 0o755)
            if cached:
                start = cached[-1] + 1
                snapshot = CACHE / "layers" / keys[cached[-1]]
                _copy_layer(snapshot, work)
                _relocate(work, snapshot, work)
                self.log(f"[{name}] reusing the cached layer of line {stage.instructions[cached[-1]].line}")
            else:
                start = 0
        state = State(root=work, env=base_env())
        started = time.monotonic()
        try:
            for i, instruction in enumerate(stage.instructions):
                self._apply(state, instruction, execute=i >= start)
                if i >= start and instruction.keyword == "RUN" and i != runs[-1]:
                    self._save(work, keys[i])
        except BaseException:
            if work != final:
                shutil.rmtree(work, ignore_errors=True)
            raise
        if work != final:
            work = self._publish(work, final)
            self.log(f"[{name}] built in {time.monotonic() - started:.0f} s")
        os.utime(work)
        self.built[name] = Built(stage, keys[-1], work, self.run_state(stage, work))
        return self.built[name]

    def run_state(self, stage: Stage, root: Path, mounts: dict[str, Path] | None = None) -> State:
        """A stage's metadata (ENV, WORKDIR, USER, CMD) with its paths under `root` and `mounts`."""
        state = State(root=root, env=BASE_IMAGES[stage.image][0](), mounts=mounts or {})
        for instruction in stage.instructions:
            self._apply(state, instruction, execute=False)
        return state

    def _save(self, work: Path, key: str) -> None:
        target = CACHE / "layers" / key
        if target.exists():
            return
        partial = Path(tempfile.mkdtemp(prefix="save.", dir=CACHE / "layers"))
        _copy_layer(work, partial)
        _relocate(partial, work, target)
        os.chmod(partial, 0o755)
        try:
            partial.rename(target)
        except OSError:
            shutil.rmtree(partial)  # another run saved it first

    def _publish(self, work: Path, final: Path) -> Path:
        _relocate(work, work, final)
        try:
            work.rename(final)
        except OSError:
            shutil.rmtree(work)  # another run published it first
        return final

    def _apply(self, state: State, instruction: Instruction, execute: bool) -> None:
        keyword, args = instruction.keyword, instruction.args
        if keyword == "ENV":
            for name, value in dockerfile.parse_env(args):
                state.env[name] = _expand(value, state)
        elif keyword == "WORKDIR":
            state.workdir = args if args.startswith("/") else f"{state.workdir.rstrip('/')}/{args}"
            if execute:
                state.path(state.workdir).mkdir(parents=True, exist_ok=True)
        elif keyword == "USER":
            state.user = args
        elif keyword == "CMD":
            state.cmd = dockerfile.exec_form(args)
        elif keyword == "EXPOSE":
            pass
        elif keyword == "COPY":
            if execute:
                self._copy(state, args)
        elif keyword == "RUN":
            if execute:
                self._run(state, args, instruction.line)
            else:
                self._remember_users(state, args)
        else:  # pragma: no cover - dockerfile.parse refuses the rest
            raise Unhandled(keyword)

    def _copy(self, state: State, args: str) -> None:
        source_stage, sources, dest = dockerfile.parse_copy(args)
        into_folder = dest.endswith("/") or len(sources) > 1
        target = state.path(dest)
        if source_stage is not None:
            built = self.build(source_stage)
            for source in sources:
                origin = built.root / source.lstrip("/")
                if origin.is_dir():
                    shutil.copytree(origin, target, symlinks=True, dirs_exist_ok=True)
                    _relocate(target, built.root, state.root)
                elif origin.is_file():
                    final = target / origin.name if into_folder else target
                    final.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, final)
                else:
                    raise AssertionError(f"COPY --from={source_stage} {source}: not in that stage")
            return
        for source in sources:
            name = source.strip("/").removeprefix("./")
            for path in self._copy_sources(f"{source} {dest}"):
                if path == name:  # a file
                    final = target / Path(name).name if into_folder else target
                else:  # a folder: its contents
                    final = target / path[len(name) + 1 :]
                final.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.repo / path, final, follow_symlinks=False)

    # --- RUN --------------------------------------------------------------------------------

    def _run(self, state: State, args: str, line: int) -> None:
        lexer = shlex.shlex(args, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        commands: list[list[str]] = [[]]
        for token in tokens:
            if token == "&&":
                commands.append([])
            elif set(token) <= set("();<>|&"):
                raise Unhandled(f"line {line}: RUN uses `{token}`; only `&&` chains are replayed")
            else:
                commands[-1].append(token)
        started = time.monotonic()
        for command in commands:
            self._run_one(state, command, line)
        self.log(f"  line {line}: RUN {args[:70]} … {time.monotonic() - started:.0f} s")

    def _remember_users(self, state: State, args: str) -> None:
        """A RUN restored from the cache: only the users it added matter to what follows."""
        for command in args.split("&&"):
            words = shlex.split(command)
            if words and words[0] == "useradd":
                self._useradd(state, words)

    def _useradd(self, state: State, words: list[str]) -> None:
        options = dict(itertools.pairwise(words))
        state.users[words[-1]] = (int(options["--uid"]), options.get("--home-dir", f"/home/{words[-1]}"))

    def _run_one(self, state: State, words: list[str], line: int) -> None:
        inline: dict[str, str] = {}
        while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            name, _sep, value = words.pop(0).partition("=")
            inline[name] = _expand(value, state)
        env = {**run_environment(state), **inline}
        program, rest = words[0], words[1:]
        mapped = [str(state.path(word)) if word.startswith("/") else word for word in rest]
        cwd = state.path(state.workdir)
        if program == "useradd":
            self._useradd(state, words)  # the uid owns what chown gives it; no account is made here
            return
        if program == "chown":
            if rest[:1] != ["-R"] or len(rest) != 3:
                raise Unhandled(f"line {line}: chown {' '.join(rest)}")
            owner, paths = rest[1], mapped[-1:]
            uid = state.users[owner.split(":")[0]][0]
            for top in paths:
                for folder, dirs, files in os.walk(top):
                    for name in [folder, *[os.path.join(folder, n) for n in dirs + files]]:
                        os.chown(name, uid, uid, follow_symlinks=False)
            return
        if program == "python" and rest[:2] == ["-m", "venv"] and len(rest) == 3:
            argv = [BASE_PYTHON, "-m", "venv", mapped[2]]
        elif program in {"npm", "mkdir", "test"} or (program == "python" and rest[:1] == ["manage.py"]):
            if program == "npm" and rest[:1] not in (["ci"], ["run"]):
                raise Unhandled(f"line {line}: npm {rest[:1]}")
            found = shutil.which(program, path=env["PATH"])
            assert found, f"line {line}: {program} not on the stage's PATH"
            argv = [found, *mapped]
        elif program.startswith("/") and program.endswith("/bin/pip") and rest[:1] in (["install"], ["check"]):
            argv = [str(state.path(program)), *mapped]
        else:
            raise Unhandled(f"line {line}: RUN {program} {' '.join(rest)[:60]} is not replayed")
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise AssertionError(f"line {line}: {' '.join(words)} failed\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def run_environment(state: State) -> dict[str, str]:
    passed = {name: value for name, value in os.environ.items() if PASSED.match(name)}
    return {"HOME": os.environ.get("HOME", "/root"), **passed, **state.env}


def _expand(value: str, state: State) -> str:
    """An ENV/inline value: `$NAME`/`${NAME}` from the stage's environment (host paths of the base
    image, left as they are); absolute paths written in the Dockerfile are the image's, so mapped."""
    parts = []
    for part in value.split(":"):
        if part.startswith("$"):
            parts.append(state.env.get(part.strip("${}"), ""))
        elif part.startswith("/"):
            parts.append(str(state.path(part)))
        else:
            parts.append(part)
    return ":".join(parts)


def _relocate(tree: Path, old: Path, new: Path) -> None:
    """Scripts in `bin` folders name their interpreter by absolute path (a venv's console scripts):
    in the image that path is the same in every stage and layer; here each root differs, so a copy
    rewrites `old` to `new` in those lines, and in pyvenv.cfg."""
    if old == new:
        return
    before, after = str(old).encode(), str(new).encode()
    for folder, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d != "node_modules"]
        for name in files:
            full = Path(folder, name)
            if full.is_symlink() or not (Path(folder).name == "bin" or name == "pyvenv.cfg"):
                continue
            data = full.read_bytes()
            if before in data and (data.startswith(b"#!") or name.startswith("activate") or name == "pyvenv.cfg"):
                full.write_bytes(data.replace(before, after))


def prune_cache() -> None:
    """Drop layers unused for two days (each use touches its folder)."""
    for entry in (CACHE / "layers").iterdir():
        if time.time() - entry.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)
