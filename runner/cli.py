"""Command line: `charrnn corpus | train | analyze | sample | explore | sweep`.

Also runs as `python -m charrnn`. Bad values end with one line on stderr and
exit status 2 (the convention for usage errors), never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

from charrnn.config import HELP, MAX_SEED, TrainConfig

from . import rundir
from .rundir import RunError

DEFAULTS = TrainConfig()


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the whole usage; one line is enough
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def add_train_flags(p: argparse.ArgumentParser) -> None:
    for f in fields(TrainConfig):
        flag = "--" + ("corpus" if f.name == "corpus_path" else f.name.replace("_", "-"))
        default = getattr(DEFAULTS, f.name)
        if isinstance(default, bool):
            p.add_argument(flag, dest=f.name, action="store_true", help=HELP[f.name])
        else:
            p.add_argument(flag, dest=f.name, type=type(default), default=default,
                           metavar=f.name.upper(), help=f"{HELP[f.name]} (default: {default!r})")


def build_parser() -> Parser:
    parser = Parser(prog="charrnn", description="A character-level RNN with hand-written BPTT.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("corpus", help="generate the toy-language corpus")
    p.add_argument("--num-sentences", type=int, default=DEFAULTS.num_sentences)
    p.add_argument("--seed", type=int, default=DEFAULTS.corpus_seed)
    p.add_argument("--out", type=Path, help="write the text here (default: print it)")
    p.add_argument("--stats", action="store_true", help="print the statistics as JSON instead")

    p = sub.add_parser("train", help="train and write a run directory")
    add_train_flags(p)
    p.add_argument("--out", type=Path, default=Path("runs/latest"),
                   help="run directory (default: runs/latest)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quiet", action="store_true", help="print nothing but errors")
    mode.add_argument("--json", action="store_true", help="print JSON lines for machines")

    p = sub.add_parser("analyze", help="phase 4 analysis of a run (writes analysis.json)")
    p.add_argument("run", type=Path, help="run directory")

    p = sub.add_parser("sample", help="generate text from a trained run")
    p.add_argument("run", type=Path, help="run directory")
    p.add_argument("--prefix", default="the ", help="seed text (default: 'the ')")
    p.add_argument("--length", type=int, default=200,
                   help="characters to generate after the prefix (default: 200)")
    p.add_argument("--temperature", type=float, default=1.0,
                   help="> 0; below 1 safer and more repetitive, above 1 more surprising "
                        "(default: 1.0)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random draws; the same seed gives the same text "
                        "(default: 0)")

    p = sub.add_parser("sweep", help="train every variant and seed of an experiment file, in parallel")
    p.add_argument("experiments", type=Path, help="experiment file (YAML), e.g. site_src/experiments.yaml")
    p.add_argument("--out", type=Path, required=True,
                   help="sweep folder: runs go to OUT/runs/<key>/, the list of them to OUT/index.json")
    p.add_argument("--workers", type=int, default=None,
                   help="processes on this machine (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask distributed cluster instead, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a default setting for every variant, e.g. --set steps=300")
    p.add_argument("--cached-only", action="store_true",
                   help="train nothing: index the runs that are already done")
    p.add_argument("--only-walked", action="store_true",
                   help="train only the run the walkthrough reads; index the others as they are")
    p.add_argument("--progress", choices=("auto", "bar", "lines"), default="auto",
                   help="a progress bar (on a terminal) or one line per finished run")
    p.add_argument("--quiet", action="store_true", help="print nothing but warnings and errors")
    p.add_argument("--errors", choices=("text", "json"), default="text",
                   help="json: end a failure with one JSON line for the program that started it")

    p = sub.add_parser("explore", help="type a prefix, see the next-character distribution")
    p.add_argument("run", type=Path, help="run directory")
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top", type=int, default=8, help="how many characters to show")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ValueError, FileNotFoundError, RunError) as err:
        return fail(args, err, 2)
    except KeyboardInterrupt:
        print(f"charrnn {args.command}: interrupted", file=sys.stderr)
        return 130


def fail(args, error: Exception, status: int) -> int:
    """Say what went wrong in one line; with ``--errors json``, also as data: the
    file or folder at fault, the problem and the fix, for a program to act on."""
    print(f"charrnn {args.command}: error: {error}", file=sys.stderr)
    if getattr(args, "errors", "text") == "json":
        where = getattr(error, "path", None) or getattr(error, "filename", None)
        problem = getattr(error, "problem", None) or str(error)
        print(json.dumps({"error": {"path": str(where) if where else None, "problem": problem,
                                    "fix": getattr(error, "fix", ""), "status": status}}),
              file=sys.stderr, flush=True)
    return status


def cmd_corpus(args) -> int:
    from charrnn.corpus import corpus_stats, generate_corpus
    corpus = generate_corpus(args.num_sentences, args.seed)
    if args.stats:
        print(json.dumps(corpus_stats(corpus), indent=1))
    elif args.out:
        args.out.write_text(corpus.text + "\n", encoding="utf-8")
        print(f"wrote {len(corpus.text):,} characters to {args.out}", file=sys.stderr)
    else:
        print(corpus.text)
    return 0


def cmd_train(args) -> int:
    from charrnn.train import train

    from .console import Console
    from .runfiles import write_run
    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
    rundir.check_target(args.out)   # before training, not after
    console = Console("quiet" if args.quiet else "json" if args.json else "auto")
    trained = train(cfg, console)
    write_run(args.out, trained, console.text)
    return 1 if trained.summary["diverged"] else 0


def cmd_analyze(args) -> int:
    from .runfiles import analyze_run
    result = analyze_run(args.run)
    print(json.dumps(result["headline"], indent=1))
    return 0


def cmd_sweep(args) -> int:
    from . import experiments
    from .sweep import SweepError, parse_assignments, run_sweep
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be at least 1, got {args.workers}")
    if args.scheduler is not None:
        from .cluster import check_address
        check_address(args.scheduler)
    plan = experiments.load(args.experiments, parse_assignments(args.set))
    rundir.check_target(args.out, replaced=False)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        index = run_sweep(plan, args.out, workers=args.workers, scheduler=args.scheduler,
                          cached_only=args.cached_only, only_walked=args.only_walked,
                          say=(lambda _: None) if args.quiet else say,
                          warn=say, progress="none" if args.quiet else args.progress)
    except SweepError as error:
        return fail(args, error, 1)
    failed = [m for m in index["missing"] if m.get("error")]
    if failed:
        first = failed[0]
        return fail(args, SweepError(f"{len(failed)} run(s) failed, the first ({first['variant']} seed "
                                     f"{first['seed']}) with {first['error']}; the others are in "
                                     f"{args.out}"), 1)
    if not args.quiet:
        print(f"{len(index['runs'])} runs listed in {args.out / 'index.json'}"
              + (f", {len(index['missing'])} not trained" if index["missing"] else ""), file=sys.stderr)
    return 0


MAX_SAMPLE = 20_000    # characters: under a second of sampling


def prompt(text: str) -> str:
    """A prefix as the training text was written: the loader's rule
    (data.normalise), but a trailing space is kept, because it means "a new
    word starts here"."""
    from charrnn.data import normalise
    return normalise(text) + (" " if text[-1:].isspace() else "")


def check_sampling(temperature: float, length: int | None = None, seed: int | None = None) -> None:
    from charrnn.sample import check_temperature
    check_temperature(temperature)
    if length is not None and not 1 <= length <= MAX_SAMPLE:
        raise ValueError(f"length must be from 1 to {MAX_SAMPLE:,} characters, got {length}")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED:,}, got {seed}")


def cmd_sample(args) -> int:
    import numpy as np

    from charrnn.sample import sample

    from .runfiles import load_checkpoint
    check_sampling(args.temperature, args.length, args.seed)
    model, vocab = load_checkpoint(args.run)
    prefix = prompt(args.prefix)
    print(prefix + sample(model, vocab, prefix, args.length, args.temperature,
                          np.random.default_rng(args.seed)))
    return 0


def cmd_explore(args) -> int:
    import numpy as np

    from charrnn.sample import sample, warm_up

    from .runfiles import load_checkpoint
    check_sampling(args.temperature)
    if not 1 <= args.top <= 1_000:
        raise ValueError(f"top must be from 1 to 1,000, got {args.top}")
    model, vocab = load_checkpoint(args.run)
    rng = np.random.default_rng(0)
    print("type a prefix and press enter (empty line or Ctrl-D to quit)")
    for line in sys.stdin:
        prefix = prompt(line.rstrip("\n"))
        if not prefix:
            break
        try:
            _, probs = warm_up(model, vocab, prefix)
        except ValueError as err:
            print(f"  {err}")
            continue
        for i in np.argsort(-probs)[: args.top]:
            bar = "#" * round(40 * probs[i])
            print(f"  {vocab.chars[i]!r:5} {probs[i]:6.3f} {bar}")
        print("  ..." + sample(model, vocab, prefix, 60, args.temperature, rng))
    return 0


COMMANDS = {"corpus": cmd_corpus, "train": cmd_train, "analyze": cmd_analyze,
            "sample": cmd_sample, "explore": cmd_explore, "sweep": cmd_sweep}

if __name__ == "__main__":
    sys.exit(main())
