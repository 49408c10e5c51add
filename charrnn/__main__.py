"""`python -m charrnn`: the command line lives in the runner package (runner/cli.py)."""
import sys

from runner.cli import main

sys.exit(main())
