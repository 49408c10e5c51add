#!/usr/bin/env python3
"""Build the annotated CharRNN walkthrough into _site/.

    python build.py                  train if needed (cached), then write _site/
    python build.py --check          validate sections, code and lock; write nothing
    python build.py --serve          rebuild on every change, with live reload

The build runs the experiment matrix of site_src/experiments.yaml (`charrnn sweep`,
in parallel) and walks through one of its runs. Each run is cached under
.cache/sweep/runs/<key>, keyed on the charrnn code (comments and docstrings
aside) and its settings, so editing a note or a template rebuilds in about a
second. Training settings given below replace the experiment file's defaults.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from charrnn.config import HELP, RULES, TrainConfig
from runner.cluster import check_address
from walkthrough.cache import SETTINGS
from walkthrough.errors import BuildError, UsageError, file_problem
from walkthrough.site import Options, build

ROOT = Path(__file__).resolve().parent


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


DEFAULTS = TrainConfig()


def setting(name: str, kind: type):
    """The argparse type of a training setting, held to TrainConfig's own rule
    (charrnn/config.py), so that a value that cannot train exits 2 at once."""
    allowed, rule = RULES[name]

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {kind.__name__} value: {text!r}") from None
        if not allowed(value):
            raise argparse.ArgumentTypeError(f"{rule}, got {text}")
        return value
    return parse


def scheduler(text: str) -> str:
    try:
        return check_address(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix(f"--scheduler {text!r} ")) from None


def port(text: str) -> int:
    """A TCP port to listen on: 0 would take a random one the page could not name."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 1 to 65535, got {value}")
    return value


class Parser(argparse.ArgumentParser):
    def error(self, message):   # one line, like every other error of the build
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = Parser(
        prog="build.py", description=__doc__.split("\n\n")[0],
        epilog="Sections live in site_src/sections/*.yaml (see the README there). "
               "Exit status: 0 built, 1 a problem was reported, 2 a bad command-line value.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    train = parser.add_argument_group(
        "training settings (for every variant of the experiments; default: the experiment "
        "file's defaults, then charrnn's TrainConfig)")
    for name in SETTINGS:   # each made from TrainConfig: its type, default and help
        default = getattr(DEFAULTS, name)
        train.add_argument("--" + name.replace("_", "-"), type=setting(name, type(default)),
                           help=f"{HELP[name]} ({default})")
    sweep = parser.add_argument_group("experiments")
    sweep.add_argument("--experiments", type=Path, metavar="FILE",
                       help="the experiment matrix (site_src/experiments.yaml)")
    sweep.add_argument("--workers", type=at_least_one,
                       help="training processes on this machine (one per core)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", type=scheduler,
                       help="train on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786")
    build_ = parser.add_argument_group("build")
    build_.add_argument("--out", type=Path, default=ROOT / "_site",
                        help="output folder, replaced only by a complete build (_site)")
    build_.add_argument("--run", type=Path, metavar="DIR",
                        help="use this finished run (or `charrnn sweep` folder) instead of the cache")
    build_.add_argument("--allow-other-code", action="store_true",
                        help="publish runs made by other code than the pages show (refused "
                             "otherwise); every page then says so")
    build_.add_argument("--check", action="store_true",
                        help="validate sections, code and lock file; write and train nothing")
    build_.add_argument("--strict", action="store_true",
                        help="fail when a section's code changed since the lock file")
    build_.add_argument("--accept", action="store_true",
                        help="record the current code of every section in "
                             "site_src/walkthrough.lock (after re-reading the notes)")
    serve = parser.add_argument_group("serve")
    serve.add_argument("--serve", action="store_true",
                       help="build, serve on localhost, rebuild on change, live reload")
    serve.add_argument("--port", type=port, default=8000, help="port for --serve (8000)")
    serve.add_argument("--walked-first", action="store_true",
                       help="when the matrix must retrain, publish the walked run's pages first "
                            "(--serve does this)")
    return parser.parse_args(argv)


def options(args: argparse.Namespace) -> Options:
    settings = {name: getattr(args, name) for name in SETTINGS
                if getattr(args, name) is not None}
    return Options(out=args.out, site_src=ROOT / "site_src", package=ROOT / "charrnn",
                   cache=ROOT / ".cache", experiments=args.experiments, settings=settings,
                   workers=args.workers, scheduler=args.scheduler, run=args.run,
                   check=args.check, strict=args.strict, accept=args.accept,
                   walked_first=args.walked_first, allow_other_code=args.allow_other_code)


def say(message: str) -> None:
    print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.serve:
        from walkthrough.serve import serve
        rebuild = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--serve"]
        return serve(str(Path(__file__).resolve()), [*rebuild, "--walked-first"], args.out,
                     [ROOT / name for name in ("site_src", "charrnn", "runner", "walkthrough")],
                     args.port)
    try:
        outcome = build(options(args), log=say)
    except UsageError as error:   # a bad value of an option, found before any work
        say(f"build.py: error: {error.line()}")
        return 2
    except BuildError as error:
        say(f"build failed:\n{error}")
        return 1
    except OSError as error:   # one the engine did not word itself: still one line, no traceback
        say(f"build failed:\n{file_problem(error, None, 'read or write it')}")
        return 1
    except KeyboardInterrupt:  # the output is replaced only by a finished build
        say(f"build interrupted: {args.out} is as it was; the runs that finished are cached")
        return 130
    for warning in outcome.warnings:
        say(f"warning: {warning}")
    if args.check:
        print("check passed" + (" (run figures and charts included)" if outcome.pages else ""))
    else:
        print(f"built {outcome.pages} pages into {args.out}; open {args.out.resolve() / 'index.html'}")
    if args.accept:
        print("recorded the current code of every section in site_src/walkthrough.lock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
