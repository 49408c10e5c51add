"""The charts, drawn from the run: one small function per chart.

Each function takes the Run and a Frame and returns a Vega-Lite spec (a plain
dict), or a list of them for small multiples, whose data come from the run's
arrays and JSON files, never from typed numbers. The build draws every spec to a
static SVG (walkthrough/vega.py), once for the reading column and once for a
phone when the two differ, caches it by the spec's hash, and inlines it in the
page, so charts read without JavaScript. Fonts, axis colours and the series
palette come from site_src/chart-theme.json: specs say what to draw, the theme
says how it looks; the helpers every chart shares are in style.py.

To add a chart:
1. write ``def name(run: Run, frame: Frame) -> dict`` in the module of its phase,
   building the spec from ``run`` (``run.curves``, ``run.snapshots``,
   ``run.jacobians``, ``run.weights``, ``run.summary``, ``run.corpus``,
   ``run.analysis``...) at ``frame.width``; keep data small with ``binned`` and
   ``rows``; keep every text at 11 px or more;
2. decorate it with ``@chart("chart-name", "One-sentence caption.")``;
3. list it in CHARTS below, and ``chart-name`` under ``charts:`` in the section's
   YAML file;
4. build, and look at it in both themes at 1280 and 375 px wide
   (tests/browser/test_charts.py measures every text).
"""
from __future__ import annotations

from . import analysis, comparisons, corpus, model, spectrum, training, units
from .chart import FRAMES, NARROW, WIDE, Chart, Frame, as_panels, catalogue
from .style import binned, changes, rows

CHARTS: dict[str, Chart] = catalogue(
    # Phases 0 and 1: the corpus and the data pipeline
    corpus.templates,
    corpus.characters,
    # Phase 2: the model
    spectrum.whh_eigenvalues,
    model.chunk_hidden_states,
    model.next_char_distribution,
    model.chunk_surprise,
    model.gradient_through_time,
    model.gradient_clipping,
    # Phase 3: training
    training.loss,
    training.loss_baselines,
    analysis.word_position,
    training.hidden_heatmap,
    training.learning_rate,
    training.param_norms,
    training.weights,
    training.saturation,
    training.grad_norms,
    # Phase 4: analysis and generation
    analysis.samples_over_training,
    analysis.temperature_rates,
    analysis.temperature_samples,
    analysis.pca_sentence,
    analysis.word_dendrograms,
    spectrum.spectral_radius,
    spectrum.eigenvalues,
    spectrum.jacobian_norms,
    units.unit_text,
    units.unit_strength,
)

# Charts of an experiment (the sweep and one variant), drawn for section 20 and
# named in the experiment file's `compare:` lists.
COMPARISONS: dict[str, Chart] = catalogue(
    comparisons.loss_bands,
    comparisons.radius_over_training,
    comparisons.clipped_share,
    comparisons.loss_against_size,
)

__all__ = ["CHARTS", "COMPARISONS", "FRAMES", "NARROW", "WIDE", "Chart", "Frame", "as_panels", "binned",
           "changes", "rows"]
