"""The site engine: turns a training run, the package's source and the section
YAML files into the annotated walkthrough.

Data flows one way; `site.build` runs the steps in this order:

    sections.py   site_src/site.yaml + sections/*.yaml -> Site, Section (checked by schema.py)
    annotate.py   Section + charrnn/*.py -> Placed: the code (source.py) with each
                  annotation pinned to its lines
    lock.py       Placed -> which sections changed since their notes were reviewed
    cache.py      sources + settings -> the sweep's runs (`charrnn sweep` as a process,
                  training only what is not cached)
    run.py        run directories -> Run, Sweep: the JSON figures and the arrays
    variants.py   site_src/variants.yaml -> how each variant is shown
    provenance.py the runs' code keys against the code shown: refused when they differ
    pages.py      Section + Placed + Run -> IndexPage, SectionPage (plain data), using
                  figures.py (run numbers in text), over_seeds.py and evidence.py
                  (numbers over seeds, paired tests through stats.py), markup.py
                  (Markdown, math, sanitising), highlight.py (Pygments) and
                  charts/ + vega.py (SVG)
    render.py     pages + site_src/templates -> HTML
    exports.py    Run + pages -> data/*.js for the pages' scripts: the training scrubber
                  (panels.py names its panels), the live model, the search index
    output.py     files -> the output folder, swapped in atomically

`build.py` at the top of the repository is the command; serve.py its --serve.
docs/architecture.md draws the four layers and the data flowing between them.
"""
