"""The site engine: turns a training run, the package's source and the section
YAML files into the annotated walkthrough.

Data flows one way, one module per step:

    sections.py   site_src/*.yaml          -> Site, Section     (validated, plain data)
    source.py     charrnn/*.py + Section   -> Excerpt           (the code a section shows)
    cache.py      settings + charrnn/*.py  -> run directory     (trained only on a miss)
    run.py        run directory            -> Run               (figures and arrays)
    pages.py      Section + Excerpt + Run  -> IndexPage, SectionPage
    render.py     pages + templates        -> HTML text
    output.py     files                    -> _site/            (swapped in atomically)

`site.py` strings these together; `build.py` at the top of the repository is the
command around it.
"""
