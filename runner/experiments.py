"""An experiment matrix, declared as data: variants of the training settings,
each trained with several seeds.

    seeds: [42, 1, 2, 3, 4]          # training seeds; every variant runs with each
    defaults: {}                      # settings every variant starts from
    variants:
      - name: default
        about: The reference settings.
        settings: {}
      - name: clip-1
        about: A tighter clipping threshold.
        settings: {clip: 1.0}
        seeds: [42, 1, 2]             # optional: a subset, for a costly variant

Optional at the top, `corpus_seed: per-seed`: each run draws its corpus with
its own training seed (a variant's settings may still fix `corpus_seed`), so
the spread over seeds includes the spread over training texts.

`about` says in a sentence what the variant asks. How the site shows a variant
is not the runner's business (site_src/variants.yaml). Optional at the top:
`walk: {variant: default, seed: 42}`, the run the walkthrough's sections
read (by default the first variant with the first seed).

Everything is checked before anything trains; a mistake raises
ExperimentError, whose message is one line naming the file, the variant and
the field.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from charrnn.config import MAX_SEED, ConfigError, TrainConfig, quoted

from .rundir import run_key
from .yamlfile import YamlError, parse

NAME = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
TOP_FIELDS = ("seeds", "defaults", "variants", "walk", "corpus_seed")
PER_SEED = "per-seed"
VARIANT_FIELDS = ("name", "about", "settings", "seeds")
MAX_BYTES = 256 * 1024


class ExperimentError(ValueError):
    """The experiment file cannot be run as written: ``path``, and what is wrong
    with it, where in it (``problem``)."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = Path(path), problem


@dataclass(frozen=True)
class Variant:
    name: str
    about: str
    settings: dict              # the settings this variant changes
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Experiments:
    path: Path
    seeds: tuple[int, ...]
    defaults: dict              # the file's defaults, with the overrides applied
    variants: tuple[Variant, ...]
    walk: tuple[str, int]       # (variant, seed) of the run the sections read
    corpus_per_seed: bool = False   # each run's corpus seed is its training seed

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)


@dataclass(frozen=True)
class Task:
    """One run of the matrix."""
    variant: str
    seed: int
    settings: dict              # as declared: defaults, then the variant's, then the seed
    config: dict                # every TrainConfig field, resolved
    key: str                    # its run directory's name (rundir.run_key)


def load(path: Path, overrides: dict | None = None) -> Experiments:
    """Read and check an experiment file. ``overrides`` replace entries of its
    ``defaults`` (the site build's --steps and friends)."""
    path = Path(path)
    data = _read(path)

    def fail(where: str, message: str) -> ExperimentError:
        return ExperimentError(path, f"{where}{message}")

    _known_fields(data, TOP_FIELDS, "", fail)
    seeds = _seeds(data.get("seeds"), "'seeds'", fail, required=True)
    defaults = _mapping(data.get("defaults", {}), "'defaults'", fail)
    defaults = {**defaults, **(overrides or {})}
    if "seed" in defaults:
        raise fail("", "'defaults' may not set 'seed': the seeds come from the 'seeds' list")
    try:
        TrainConfig.from_settings({**defaults, "seed": seeds[0]})
    except ConfigError as error:
        raise fail("", f"'defaults': {error}") from None
    items = data.get("variants")
    if not isinstance(items, list) or not items:
        raise fail("", "'variants' must be a non-empty list of variants")
    variants, names = [], set()
    for i, item in enumerate(items):
        variant = _variant(item, i, seeds, defaults, fail)
        if variant.name in names:
            raise fail(f"variant '{variant.name}': ", "the name is used twice; give each variant its own")
        names.add(variant.name)
        variants.append(variant)
    walk = _walk(data.get("walk"), variants, fail)
    corpus_seed = data.get("corpus_seed")
    if corpus_seed not in (None, PER_SEED):
        raise fail("", f"'corpus_seed' may only be '{PER_SEED}' here (a fixed corpus seed "
                       f"goes under 'defaults'), got {quoted(corpus_seed)}")
    if corpus_seed and "corpus_seed" in defaults:
        raise fail("", f"'corpus_seed: {PER_SEED}' and a 'corpus_seed' in 'defaults' "
                       "contradict each other; keep one")
    return Experiments(path, seeds, defaults, tuple(variants), walk, corpus_seed == PER_SEED)


def tasks(experiments: Experiments, code: str) -> list[Task]:
    """Every (variant, seed) run, in file order, with its resolved settings and key."""
    out = []
    for variant in experiments.variants:
        for seed in variant.seeds:
            corpus = {"corpus_seed": seed} if experiments.corpus_per_seed else {}
            settings = {**experiments.defaults, **corpus, **variant.settings, "seed": seed}
            config = TrainConfig.from_settings(settings).to_dict()
            out.append(Task(variant.name, seed, settings, config, run_key(code, config)))
    return out


# ---------------------------------------------------------------------------

def _read(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ExperimentError(path, f"cannot be read ({error.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ExperimentError(path, f"{len(raw):,} bytes is too large for an experiment file "
                              f"(at most {MAX_BYTES:,})")
    try:
        data = parse(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ExperimentError(path, f"not UTF-8 text (byte {error.start})") from None
    except YamlError as error:
        raise ExperimentError(path, str(error)) from None
    if not isinstance(data, dict):
        raise ExperimentError(path, "the file must hold a mapping with 'seeds' and 'variants'")
    return data


def _known_fields(data: dict, allowed: tuple[str, ...], where: str, fail) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            raise fail(where, f"unknown field {quoted(key)} ({hint})")


def _mapping(value, what: str, fail) -> dict:
    if not isinstance(value, dict):
        raise fail("", f"{what} must be a mapping of settings, like {{clip: 1.0}}")
    return value


def _seeds(value, what: str, fail, required: bool, where: str = "") -> tuple[int, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value:
        raise fail(where, f"{what} must be a non-empty list of whole numbers, like [42, 1, 2]")
    for seed in value:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise fail(where, f"{what}: {quoted(seed)} is not a seed (a whole number from 0 to "
                              f"{MAX_SEED:,})")
    if len(set(value)) != len(value):
        raise fail(where, f"{what} lists a seed twice")
    return tuple(value)


def _variant(item, i: int, seeds: tuple[int, ...], defaults: dict, fail) -> Variant:
    if not isinstance(item, dict):
        raise fail(f"variant {i + 1}: ", "must be a mapping with 'name', 'about' and 'settings'")
    name = item.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise fail(f"variant {i + 1}: ", f"'name' must be a short lower-case name like 'clip-1', "
                                         f"got {quoted(name)}")
    where = f"variant '{name}': "
    _known_fields(item, VARIANT_FIELDS, where, fail)
    about = item.get("about", "")
    if not isinstance(about, str):
        raise fail(where, "'about' must be text")
    settings = _mapping(item.get("settings", {}), "'settings'", lambda _, m: fail(where, m))
    if "seed" in settings:
        raise fail(where, "'settings' may not set 'seed': list seeds under 'seeds'")
    own_seeds = _seeds(item.get("seeds"), "'seeds'", fail, required=False, where=where) or seeds
    try:   # every setting, checked now, before anything trains
        TrainConfig.from_settings({**defaults, **settings, "seed": own_seeds[0]})
    except ConfigError as error:
        raise fail(where, f"settings: {error}") from None
    return Variant(name, about.strip(), dict(settings), own_seeds)


def _walk(value, variants: list[Variant], fail) -> tuple[str, int]:
    if value is None:
        return variants[0].name, variants[0].seeds[0]
    if not isinstance(value, dict) or set(value) != {"variant", "seed"}:
        raise fail("", "'walk' must be a mapping like {variant: default, seed: 42}")
    chosen = next((v for v in variants if v.name == value["variant"]), None)
    if chosen is None:
        raise fail("", f"'walk' names variant {quoted(value['variant'])}, which is not listed")
    if value["seed"] not in chosen.seeds:
        raise fail("", f"'walk' names seed {quoted(value['seed'])}, which variant "
                       f"'{chosen.name}' does not run")
    return chosen.name, value["seed"]
