"""What the batch tests share: scenario files written into a folder, a results folder's files, the child processes."""
import json
import os
from pathlib import Path


def scenarios(folder: Path, **texts: str) -> list[Path]:
    """``folder/<name>.yaml`` for each ``name=text``, written; their paths in that order."""
    paths = []
    for name, text in texts.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def results_files(folder: Path) -> dict[str, bytes]:
    """Every file of a results folder (but the lock, which holds a process id) and its bytes, each
    ``manifest.json`` without its record of the command (which names the folder and the options)."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and p.name != ".lock":
            data = p.read_bytes()
            if p.name == "manifest.json":
                record = json.loads(data)
                record.pop("command", None)
                data = json.dumps(record, sort_keys=True).encode()
            out[p.relative_to(folder).as_posix()] = data
    return out


def children() -> set[int]:
    """The processes whose parent is this one (Linux: read from /proc), but zombies."""
    out = set()
    for stat in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                out.add(int(stat))
    return out
