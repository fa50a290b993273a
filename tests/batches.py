"""What the batch tests share: scenario files written into a folder, a results folder's files, the child processes."""
import os
from pathlib import Path

# a results folder's files and their bytes, each manifest without its record of the command: the benchmark's
# comparison of two runs (benchmarks/run_bench.py), the same for the tests
from benchmarks.run_bench import folder_files as results_files  # noqa: F401


def scenarios(folder: Path, **texts: str) -> list[Path]:
    """``folder/<name>.yaml`` for each ``name=text``, written; their paths in that order."""
    paths = []
    for name, text in texts.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


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
