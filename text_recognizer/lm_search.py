"""The compiled core of lm_decoding.py: CTC prefix beam search with a character n-gram language model and word rules,
in numba (the same search in plain Python spent ~15 ms on a 1,000-px line; see README, "Decoding with a language
model").

Conventions shared with lm_decoding.py:
- A language-model state is the last n = order-1 model symbols as one int64, the newest symbol its lowest base-`size`
  digit, so the state's suffix of length L is `state % size**L`.
- `tables`: (keys, starts, gammas, symbols, discounted, unigram, powers, offsets, to_model), the model's tables
  (CharNgramLM.flat_tables) with powers[L] = size**L and to_model[class] the model symbol of each line class, then
  of the end of a line.
- Word rules are tries over lower-cased letters: (keys, values) of the edges (node * LETTER_CODES + letter code ->
  child, keys sorted) and a terminal flag per node; node 0 is the empty word. `letters[class]` is the class's letter
  code, or -1 where the class is no letter.
"""

import numpy as np
from numba import njit

LETTER_CODES = 0x110000  # one past the last Unicode code point: a trie edge's key is node * LETTER_CODES + code
# A prefix scoring this much (natural log) below a frame's best leaves the beam even when there is room: at beam 64
# on the validation and test writers, 12 changed no CER or WER and saved a quarter of the search; 8 cost 0.0003 of
# validation CER.
BEAM_SPAN = 12.0


@njit(cache=True)
def language_model_row(state, tables, out):
    """Natural-log P(class | state) of every line class, then of the end of the line, into `out` (interpolated
    Kneser-Ney: the longest stored context's discounted probabilities plus gamma times the next shorter one's)."""
    keys, starts, gammas, symbols, discounted, unigram, powers, offsets, to_model = tables
    probabilities = np.zeros(len(unigram))
    scale = 1.0
    for length in range(len(offsets), 0, -1):
        wanted = state % powers[length] + offsets[length - 1]
        row = np.searchsorted(keys, wanted)
        if row < len(keys) and keys[row] == wanted:
            for at in range(starts[row], starts[row + 1]):
                probabilities[symbols[at]] += scale * discounted[at]
            scale *= gammas[row]
    for k in range(len(to_model)):
        out[k] = np.log(probabilities[to_model[k]] + scale * unigram[to_model[k]])


@njit(cache=True, inline="always")
def next_state(state, symbol, digits_kept, base):
    """The state after `symbol`: `state` less its oldest digit (digits_kept = base**(order-2), base the model's
    number of symbols; 0 for order 1: no context), then `symbol`."""
    if digits_kept == 0:
        return 0
    return (state % digits_kept) * base + symbol


@njit(cache=True, inline="always")
def _trie_child(keys, values, node, code):
    if node < 0:
        return -1
    wanted = node * LETTER_CODES + code
    at = np.searchsorted(keys, wanted)
    return values[at] if at < len(keys) and keys[at] == wanted else -1


# Columns of a prefix tree's node tables (node 0: the empty prefix). Integers: parent, last label, language-model
# state, lexicon and hot-word trie nodes of the word in progress (-1: off the hot words), the frame where the last
# label's posterior peaked, the node's entry among the prefixes grown on frame GROWN_ON, first child, next sibling,
# whether the word rules allow it. Floats: LM-and-rules score, hot-word bonus granted to the word, that peak.
PARENT, LAST, STATE, LEX, HOT, PEAK_FRAME, GROWN_AT, GROWN_ON, FIRST_CHILD, NEXT_SIBLING, ALLOWED = range(11)
SCORE, GRANTED, PEAK = range(3)


@njit(cache=True, inline="always")
def _slot(node, t, ints, grown_nodes, count):
    """A node's entry among the prefixes grown on frame t, added (in the order they were grown) when new."""
    if ints[node, GROWN_ON] == t:
        return ints[node, GROWN_AT], count
    ints[node, GROWN_ON], ints[node, GROWN_AT] = t, count
    grown_nodes[count] = node
    return count, count + 1


@njit(cache=True, inline="always")
def _place(state, keys):
    """Where a state is, or would go, in the open-addressing hash table `keys` (-1: empty; linear probing)."""
    mask = len(keys) - 1
    at = int((np.uint64(state) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) & mask
    while keys[at] != -1 and keys[at] != state:
        at = (at + 1) & mask
    return at


@njit(cache=True)
def _row_of(state, cache, tables):
    """The index in the cache's rows of a state's language-model row, computed on first use. cache: (keys, their
    rows, [rows used], rows): a hash table of states twice as long as `rows` (_place), emptied when `rows` is full."""
    keys, found, used, rows = cache
    at = _place(state, keys)
    if keys[at] == state:
        return found[at]
    if used[0] == len(rows):
        keys[:] = -1
        used[0] = 0
        at = _place(state, keys)
    keys[at], found[at] = state, used[0]
    language_model_row(state, tables, rows[used[0]])
    used[0] += 1
    return found[at]


@njit(cache=True)
def prefix_search(
    probabilities, candidates, blank_only, tables, start, beam_width, lm_weight, bonus, blank, rules, cache
):
    """The best prefix of a line: (labels, log P_ctc of the prefix, the frame each label was read on, the language
    model's row after each label's context). rules: (on, letters, has_lexicon, lexicon keys, values,
    terminal, hot keys, values, terminal, hot-word bonus). cache: the language-model rows computed so far, kept
    from line to line (_row_of). See lm_decoding.lm_beam_decode for what the search does."""
    classes = probabilities.shape[1]
    keys, found, _, rows = cache
    rules_on = rules[0]
    powers, offsets, to_model = tables[6], tables[7], tables[8]
    digits_kept, base = (powers[len(offsets) - 1] if len(offsets) else 0), powers[1]
    # Every buffer is made once, at its largest, and never replaced: an array variable reassigned inside the loops
    # cost an atomic reference count per use, half the search's time. A frame adds at most one prefix per beam entry
    # and class tried.
    most_tried, tried_in_all = 1, 0
    for t in range(len(probabilities)):
        if not blank_only[t]:
            tried = 0
            for label in range(classes):
                tried += candidates[t, label]
            most_tried, tried_in_all = max(most_tried, tried), tried_in_all + tried
    ints = np.empty((1 + beam_width * tried_in_all, 11), np.int64)  # node tables (np.full: a second's compiling)
    floats = np.empty((len(ints), 3))
    for column in range(11):
        ints[0, column] = -1
    ints[0, STATE], ints[0, LEX], ints[0, HOT], ints[0, ALLOWED] = start, 0, 0, 1
    floats[0, SCORE], floats[0, GRANTED], floats[0, PEAK] = 0.0, 0.0, 0.0
    nodes = 1
    labels = np.empty(classes, np.int64)  # the classes tried on a frame
    room = beam_width * (most_tried + 1)
    grown_nodes, grown_blank, grown_label, ranks = (
        np.empty(room, np.int64),
        np.empty(room),
        np.empty(room),
        np.empty(room),
    )
    kept = np.empty(beam_width, np.int64)
    beam_nodes, beam_blank, beam_label = np.zeros(beam_width, np.int64), np.ones(beam_width), np.zeros(beam_width)
    beams = 1  # entries in the beam: prefix, P(ends in blank), P(ends in a label)
    log_scale = 0.0
    for t in range(len(probabilities)):
        if blank_only[t]:
            p = float(probabilities[t, blank])
            total = 0.0
            for i in range(beams):
                beam_blank[i] = (beam_blank[i] + beam_label[i]) * p
                beam_label[i] = 0.0
                total += beam_blank[i] + beam_label[i]
        else:
            tried = 0
            for label in range(classes):
                if candidates[t, label]:
                    labels[tried] = label
                    tried += 1
            for i in range(beams * (tried + 1)):
                grown_blank[i], grown_label[i] = 0.0, 0.0
            count = 0
            for i in range(beams):
                node, p_blank, p_label = beam_nodes[i], beam_blank[i], beam_label[i]
                for j in range(tried):
                    label = labels[j]
                    p = float(probabilities[t, label])
                    if label == blank:
                        slot, count = _slot(node, t, ints, grown_nodes, count)
                        grown_blank[slot] += (p_blank + p_label) * p
                        continue
                    if label == ints[node, LAST]:
                        slot, count = _slot(node, t, ints, grown_nodes, count)
                        grown_label[slot] += p_label * p  # a repeat with no blank between
                        if p > floats[node, PEAK]:
                            floats[node, PEAK], ints[node, PEAK_FRAME] = p, t
                        through = p_blank * p
                    else:
                        through = (p_blank + p_label) * p
                    if through <= 0:
                        continue
                    extended = ints[node, FIRST_CHILD]
                    while extended >= 0 and ints[extended, LAST] != label:
                        extended = ints[extended, NEXT_SIBLING]
                    if extended < 0:  # a new prefix: score it and apply the word rules
                        extended = nodes
                        nodes += 1
                        state = ints[node, STATE]
                        at = _place(state, keys)  # a cached row, found inline; a new one (rare) from _row_of
                        row = found[at] if keys[at] == state else _row_of(state, cache, tables)
                        score = floats[node, SCORE] + lm_weight * rows[row, label] + bonus
                        lex, hot, granted, allowed = 0, 0, 0.0, True
                        if rules_on:
                            score, lex, hot, granted, allowed = _word_rules(node, label, ints, floats, score, rules)
                        state = next_state(state, to_model[label], digits_kept, base)
                        _link(node, extended, label, ints, floats, score, state, lex, hot, granted, allowed)
                    if not ints[extended, ALLOWED]:
                        continue
                    slot, count = _slot(extended, t, ints, grown_nodes, count)
                    grown_label[slot] += through
                    if p > floats[extended, PEAK]:
                        floats[extended, PEAK], ints[extended, PEAK_FRAME] = p, t
            if count == 0:
                continue
            for i in range(count):
                ranks[i] = _log(grown_blank[i] + grown_label[i]) + floats[grown_nodes[i], SCORE]
            best_rank = ranks[0]
            for i in range(1, count):
                best_rank = max(best_rank, ranks[i])
            beams = _largest(ranks, count, kept, best_rank - BEAM_SPAN)
            total = 0.0
            for i in range(beams):
                at = kept[i]
                beam_nodes[i], beam_blank[i], beam_label[i] = grown_nodes[at], grown_blank[at], grown_label[at]
                total += beam_blank[i] + beam_label[i]
        if total <= 0:
            break
        log_scale += np.log(total)
        for i in range(beams):
            beam_blank[i] /= total
            beam_label[i] /= total
    best, best_score = 0, -np.inf
    for i in range(beams):
        node = beam_nodes[i]
        row = _row_of(ints[node, STATE], cache, tables)
        final = floats[node, SCORE] + lm_weight * rows[row, -1]
        if rules_on:
            final += _word_end(node, ints, floats, rules)
        final += _log(beam_blank[i] + beam_label[i])
        if i == 0 or final > best_score:
            best, best_score = i, final
    log_p = _log(beam_blank[best] + beam_label[best]) + log_scale
    length = 0
    node = beam_nodes[best]
    while node > 0:
        length += 1
        node = ints[node, PARENT]
    path = np.empty(length, np.int64)
    frames = np.empty(length, np.int64)
    contexts = np.empty((length, rows.shape[1]))
    node = beam_nodes[best]
    for at in range(length - 1, -1, -1):
        path[at], frames[at] = ints[node, LAST], ints[node, PEAK_FRAME]
        node = ints[node, PARENT]
        row = _row_of(ints[node, STATE], cache, tables)
        for k in range(rows.shape[1]):
            contexts[at, k] = rows[row, k]
    return path, log_p, frames, contexts


@njit(cache=True)
def _word_rules(node, label, ints, floats, score, rules):
    """The word rules applied to `node` extended by `label`: (score, lexicon and hot-word trie nodes, hot-word bonus
    granted, whether the rules allow it)."""
    _, letters, has_lexicon, lex_keys, lex_values, _, hot_keys, hot_values, _, hot_bonus = rules
    code = letters[label]
    if code < 0:  # the word ends
        change = _word_end(node, ints, floats, rules)
        return score + change, 0, 0, 0.0, change > -np.inf
    lex, allowed, granted = ints[node, LEX], True, 0.0  # a letter: the word goes on
    if has_lexicon:
        lex = _trie_child(lex_keys, lex_values, lex, code)
        allowed = lex >= 0
    hot = _trie_child(hot_keys, hot_values, ints[node, HOT], code)
    if hot >= 0:
        granted = floats[node, GRANTED] + hot_bonus
        score += hot_bonus
    else:
        score -= floats[node, GRANTED]
    return score, lex, hot, granted, allowed


@njit(cache=True, inline="always")
def _link(node, child, label, ints, floats, score, state, lex, hot, granted, allowed):
    """Fill in a new child of `node` and link it first among the node's children."""
    ints[child, PARENT], ints[child, LAST], ints[child, STATE] = node, label, state
    ints[child, LEX], ints[child, HOT], ints[child, ALLOWED] = lex, hot, allowed
    ints[child, PEAK_FRAME], ints[child, GROWN_ON] = 0, -1
    ints[child, NEXT_SIBLING], ints[child, FIRST_CHILD] = ints[node, FIRST_CHILD], -1
    ints[node, FIRST_CHILD] = child
    floats[child, SCORE], floats[child, GRANTED], floats[child, PEAK] = score, granted, 0.0


@njit(cache=True, inline="always")
def _word_end(node, ints, floats, rules):
    """The score change when the word in progress at `node` ends: -inf where the lexicon forbids it, else its
    hot-word bonus taken back unless it is a whole hot word."""
    _, _, has_lexicon, _, _, lex_terminal, _, _, hot_terminal, _ = rules
    lex, hot = ints[node, LEX], ints[node, HOT]
    if has_lexicon and lex != 0 and not lex_terminal[lex]:
        return -np.inf
    if hot >= 0 and hot_terminal[hot]:
        return 0.0
    return -floats[node, GRANTED]


@njit(cache=True)
def _largest(values, count, kept, floor):
    """Fill `kept` with the indices of the largest of values[:count] that reach `floor`, largest first, ties in their
    order (as heapq.nlargest keeps them); how many it holds."""
    size = 0
    for i in range(count):
        if values[i] < floor:
            continue
        at = size
        while at > 0 and values[kept[at - 1]] < values[i]:
            at -= 1
        if at < len(kept):
            for move in range(min(size, len(kept) - 1), at, -1):
                kept[move] = kept[move - 1]
            kept[at] = i
            size = min(size + 1, len(kept))
    return size


@njit(cache=True, inline="always")
def _log(value):
    return np.log(value) if value > 0 else -np.inf
