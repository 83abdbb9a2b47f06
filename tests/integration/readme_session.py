#!/usr/bin/python3
"""Runs the terminal sessions a README shows and checks they still answer so.

Every ```console block of the README is a session: a line starting with "$ "
is a command (a trailing backslash continues it on the next line), and the
lines after it, up to the next command, are what the terminal shows (stdout
and stderr together). "…" in a shown line stands for any text (timestamps,
ids a reader cannot predict); runs of spaces and tabs compare as one space;
blank lines are ignored.

Commands run in bash from --cwd, one after another, with --env added to the
environment and each --sub OLD=NEW replaced in the command text first (free
ports instead of the README's fixed ones, the build's bin folder). Exit status
0 when every command showed what the README says; 1 with the first difference.

  readme_session.py README.md --cwd SRC [--sub OLD=NEW]... [--env K=V]...
"""
import argparse
import os
import re
import subprocess
import sys


def sessions(readme_text):
    """Yields (line number, command, expected lines) for every command."""
    in_console = False
    command, expected, start, continuing = None, [], 0, False
    for number, line in enumerate(readme_text.splitlines(), 1):
        if not in_console:
            if line.strip() == "```console":
                in_console = True
            continue
        if line.strip() == "```":
            if command is not None:
                yield start, command, expected
            in_console, command, expected = False, None, []
            continue
        if continuing:
            command += "\n" + line
            continuing = line.endswith("\\")
        elif line.startswith("$ "):
            if command is not None:
                yield start, command, expected
            command, expected, start = line[2:], [], number
            continuing = line.endswith("\\")
        elif command is not None:
            expected.append(line)


def normalize(line):
    return re.sub(r"[ \t]+", " ", line.rstrip("\r").strip())


def matches(expected, actual):
    pattern = "".join(".*" if part == "…" else re.escape(part) for part in re.split("(…)", normalize(expected)))
    return re.fullmatch(pattern, normalize(actual)) is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("readme")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--sub", action="append", default=[])
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per command")
    args = parser.parse_args()
    subs = [s.split("=", 1) for s in args.sub]
    env = dict(os.environ)
    env.update(dict(e.split("=", 1) for e in args.env))
    with open(args.readme, encoding="utf-8") as f:
        text = f.read()
    count = 0
    for number, command, expected in sessions(text):
        run = command
        for old, new in subs:
            run = run.replace(old, new)
        try:
            done = subprocess.run(["bash", "-c", run], cwd=args.cwd, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=args.timeout, text=True)
            output = done.stdout
        except subprocess.TimeoutExpired:
            print(f"{args.readme}:{number}: `{command}` did not finish in {args.timeout} s", file=sys.stderr)
            return 1
        want = [line for line in expected if line.strip()]
        got = [line for line in output.splitlines() if line.strip()]
        if len(want) != len(got) or not all(matches(w, g) for w, g in zip(want, got)):
            print(f"{args.readme}:{number}: `{command}` (ran as `{run}`) showed", file=sys.stderr)
            print("\n".join(got) or "(nothing)", file=sys.stderr)
            print("but the README says", file=sys.stderr)
            print("\n".join(want) or "(nothing)", file=sys.stderr)
            return 1
        count += 1
    if count == 0:
        print(f"{args.readme}: no ```console session found", file=sys.stderr)
        return 1
    print(f"{args.readme}: {count} commands showed what the README says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
