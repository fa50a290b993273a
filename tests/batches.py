"""What the batch tests share: scenario files written into a folder."""
from pathlib import Path


def scenarios(folder: Path, **texts: str) -> list[Path]:
    """``folder/<name>.yaml`` for each ``name=text``, written; their paths in that order."""
    paths = []
    for name, text in texts.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
