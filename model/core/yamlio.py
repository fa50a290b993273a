"""Reading YAML safely, keeping the line of every key.

``yaml.safe_load`` forgets where a value came from and silently keeps the last of
two equal keys.  :func:`read_yaml` composes the node tree instead, refuses what a
scenario file never needs (aliases, custom tags, duplicate keys, huge or binary
files), and returns plain Python data with a map from key path to line number.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

# libyaml's parser where PyYAML has it (several times faster; the same nodes and lines), else PyYAML's own; a
# file libyaml refuses is read again by PyYAML's parser, so that a syntax error reads the same everywhere.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1 << 20          # scenario files are small; anything bigger is a mistake
MAX_NODES = 20_000
MAX_DEPTH = 20               # nesting of lists and mappings; a scenario needs five at most


class PlusNumber(float):
    """A number written with an explicit ``+`` (``+1.5``): ambiguous in a scenario file."""


def _number_with_sign(build):
    def construct(ctor, node):
        value = build(ctor, node)
        return PlusNumber(value) if node.value.lstrip().startswith("+") else value
    return construct


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": lambda c, n: n.value,
    "tag:yaml.org,2002:int": _number_with_sign(SafeConstructor.construct_yaml_int),
    "tag:yaml.org,2002:float": _number_with_sign(SafeConstructor.construct_yaml_float),
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": lambda c, n: None,
}

Path_ = tuple  # a key path, e.g. ("growth", "finance")


@dataclass(frozen=True)
class YamlProblem(Exception):
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def read_yaml(data: bytes) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document into plain data and ``{key path: line}`` (1-based).

    Raises :class:`YamlProblem` with a line number where one is known.
    """
    if len(data) > MAX_BYTES:
        raise YamlProblem(None, f"file is {len(data):,} bytes; a scenario file may have at most {MAX_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(line, f"byte 0x{data[exc.start]:02x} at column {column} is not UTF-8: is this a YAML "
                                "file? (save it as UTF-8)") from None
    bad = next((i for i, ch in enumerate(text) if ch == "\x00" or (ord(ch) < 32 and ch not in "\t\n\r")), None)
    if bad is not None:
        line = text.count("\n", 0, bad) + 1
        raise YamlProblem(line, f"control character {text[bad]!r} in the text: is this a YAML file?")
    try:
        root = _compose(text, FAST_LOADER)
    except (yaml.YAMLError, RecursionError):     # only from libyaml: PyYAML's parser says what is wrong
        root = _compose(text, yaml.SafeLoader)
    if root is None:
        raise YamlProblem(None, "the file is empty: a scenario needs at least a name or an 'extends'")
    lines: dict[Path_, int] = {}
    seen: set[int] = set()
    value = _build(root, (), lines, seen, SafeConstructor())
    return value, lines


def _compose(text: str, loader) -> yaml.Node | None:
    """The node tree of ``text`` (``None``: empty), refusing aliases and deep nesting first."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlProblem(event.start_mark.line + 1,
                                  "anchors and aliases (&name / *name) are not allowed in scenario files")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(event.start_mark.line + 1, f"lists and mappings nested more than "
                                      f"{MAX_DEPTH} deep: not a scenario file")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.compose(text, Loader=loader)
    except RecursionError:       # a safety net behind the depth check
        if loader is not yaml.SafeLoader:
            raise
        raise YamlProblem(None, "nesting too deep: not a scenario file") from None
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader:
            raise
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(line, f"YAML syntax: {problem}") from None


def _build(node: yaml.Node, path: Path_, lines: dict, seen: set, ctor: SafeConstructor) -> Any:
    if id(node) in seen:
        raise YamlProblem(node.start_mark.line + 1,
                          "anchors and aliases (&name / *name) are not allowed in scenario files")
    seen.add(id(node))
    if len(seen) > MAX_NODES:
        raise YamlProblem(node.start_mark.line + 1, f"more than {MAX_NODES:,} values: not a scenario file")
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        build = _SCALAR_TAGS.get(node.tag)
        if build is None:
            raise YamlProblem(node.start_mark.line + 1, f"tag {node.tag!r} is not allowed (plain values only)")
        try:
            return build(ctor, node)
        except (ValueError, yaml.YAMLError):
            raise YamlProblem(node.start_mark.line + 1, f"cannot read {node.value!r}") from None
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise YamlProblem(node.start_mark.line + 1, f"tag {node.tag!r} is not allowed")
        return [_build(item, path + (i,), lines, seen, ctor) for i, item in enumerate(node.value)]
    if node.tag != "tag:yaml.org,2002:map":
        raise YamlProblem(node.start_mark.line + 1, f"tag {node.tag!r} is not allowed")
    out: dict = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain name or number")
        key = _build(key_node, path + ("<key>",), lines, seen, ctor)
        if key in out:
            raise YamlProblem(key_node.start_mark.line + 1,
                              f"key {'.'.join(map(str, path + (key,)))!r} is given twice")
        lines[path + (key,)] = key_node.start_mark.line + 1
        out[key] = _build(value_node, path + (key,), lines, seen, ctor)
    lines.pop(path + ("<key>",), None)
    return out
