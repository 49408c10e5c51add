"""`python -m runner`: the same command line as `charrnn` and `python -m charrnn`."""
from .cli import main

raise SystemExit(main())
