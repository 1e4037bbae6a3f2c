"""Write a language's most frequent words, one per line, from the wordfreq package (`pip install wordfreq`; not a
requirement: only this script uses it). Its lists are CC-BY-SA 4.0 (Robyn Speer, wordfreq); a list written by this
script is shared under the same licence.

The language model's word list (what word confidences count as a known word) is its training text's words, which hold
little French; `build_language_model.py --words FILE` adds a list such as this one:

    python training/wordfreq_list.py fr 50000 > training/lexicons/french_wordfreq_50k.txt
"""

import argparse
import sys

from training import cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("language", help="a wordfreq language code: fr, en, de, ...")
    parser.add_argument("count", type=int, help="how many of its most frequent words")
    args = parser.parse_args(argv)
    try:
        from wordfreq import top_n_list
    except ImportError:
        cli.fail("this script needs the wordfreq package: pip install wordfreq")
    words = top_n_list(args.language, args.count)
    if not words:
        cli.fail(f"wordfreq has no word list for language {args.language!r}.")
    sys.stdout.write("\n".join(words) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
