#!/usr/bin/env python3
"""Reads CI job files (YAML) and prints, as JSON, every scxlab command line their scripts run.

Usage: ci_commands.py FILE...
Output: {"files": {FILE: {"jobs": N}}, "commands": [{"file", "command", "options"}],
         "scripts": [{"file", "path"}]}
A file that is not valid YAML, or holds no job, exits 1 with the reason (the test prints it).
"scripts" are the repository's own scripts a job calls (".../scripts/NAME"), to check they exist.
"""
import json
import shlex
import sys

import yaml


# The keys whose values a CI system runs as shell: GitHub's run:, GitLab's *script:.
SHELL_KEYS = {"run", "script", "before_script", "after_script"}


def strings(node, shell=False):
    """Every string a job runs as shell in a parsed YAML document."""
    if isinstance(node, str):
        if shell:
            yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, shell or key in SHELL_KEYS)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value, shell)


def shell_lines(text):
    """The shell lines of a script, with backslash continuations joined."""
    return text.replace("\\\n", " ").splitlines()


def words(line):
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote in a line that is not shell (a comment, a URL)
        return []


def scan_line(file, line, out):
    tokens = words(line)
    for i, token in enumerate(tokens):
        if "/scripts/" in token or token.startswith("scripts/"):
            out["scripts"].append({"file": file, "path": token[token.index("scripts/"):]})
        starts_command = i == 0 or tokens[i - 1] in ("sudo", "&&", "||", ";", "|", "then", "do")
        if token.rsplit("/", 1)[-1] != "scxlab" or not starts_command or i + 1 >= len(tokens):
            continue
        rest = tokens[i + 1:]
        options = [t.split("=", 1)[0] for t in rest if t.startswith("-") and t not in ("-", "--")]
        out["commands"].append({"file": file, "command": rest[0], "options": options})


def jobs_of(file, doc):
    if not isinstance(doc, dict):
        sys.exit(f"{file}: not a mapping at the top")
    if "jobs" in doc:  # GitHub Actions
        return len(doc["jobs"])
    return sum(1 for v in doc.values() if isinstance(v, dict) and "script" in v)  # GitLab CI


def main(files):
    out = {"files": {}, "commands": [], "scripts": []}
    for file in files:
        try:
            with open(file, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            sys.exit(f"{file}: {e}")
        jobs = jobs_of(file, doc)
        if jobs == 0:
            sys.exit(f"{file}: no job in it")
        out["files"][file] = {"jobs": jobs}
        for text in strings(doc):
            for line in shell_lines(text):
                scan_line(file, line, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
