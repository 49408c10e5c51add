"""The runner: everything around the taught program that the site does not teach.

The command line (cli.py) and its console (console.py), the run directory's
format (rundir.py) and the bridge from a trained run to it (runfiles.py), the
experiment file (experiments.py) and the sweep that trains it (sweep.py).
"""
