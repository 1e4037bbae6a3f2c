"""Choosing a language model: its order by validation perplexity, and the grid of decoder settings to tune."""

from text_recognizer.char_lm import train_language_model
from training.lm_orders import best_order
from training.lm_tuning import grid

TEXTS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "then the hen"] * 3


def test_the_order_with_the_lowest_mean_validation_perplexity_is_kept_with_what_it_was_chosen_from():
    validation = {"a": ["the cat sat on the log"], "b": ["a dog and the hen"]}
    said = []
    model = best_order(TEXTS, [1, 3], {}, {"sources": "test"}, validation, said.append)
    mean = {
        order: sum(train_language_model(TEXTS, order).perplexity(texts) for texts in validation.values())
        for order in (1, 3)
    }
    assert model.order == min(mean, key=mean.get) == 3
    assert model.meta["orders_tried"] == [1, 3] and model.meta["sources"] == "test"
    assert set(model.meta["validation_perplexity"]) == {"a", "b"}
    assert len(said) == 2 and said[0].startswith("order 1: validation perplexity")


def test_the_grid_holds_every_pair_in_the_order_of_a_cards_entry():
    settings = grid("lm/x.npz", [0.5, 1.0], [0.0, 2.0], 8, 0.01)
    assert [(entry["lm_weight"], entry["bonus"]) for entry in settings] == [(0.5, 0), (0.5, 2), (1.0, 0), (1.0, 2)]
    assert list(settings[0]) == ["file", "lm_weight", "bonus", "beam_width", "prune"]
