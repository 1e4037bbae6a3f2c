"""The offline sweep driver under its first name, which the product's documented command uses
(`python training/sweep.py FILE --count N`): the same program as training/offline_sweep.py."""

import sys

from training.offline_sweep import main

if __name__ == "__main__":
    sys.exit(main())
