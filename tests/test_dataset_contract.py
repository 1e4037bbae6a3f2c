"""The dataset contract (datasets/base.py): cards derived from the constructor's arguments are the cards shipped
today, every registered dataset can record its arguments, and augmentation is the dataset's."""

import json

import h5py
import numpy as np
import pytest

from tests.conftest import REPO
from text_recognizer import registry
from text_recognizer.datasets.base import Split
from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.datasets.emnist_lines import EmnistLinesDataset
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset
from text_recognizer.datasets.iam_lines import IamLinesDataset
from text_recognizer.datasets.lines_folder import LinesFolderDataset
from text_recognizer.datasets.page_xml_lines import PageXmlLinesDataset
from text_recognizer.datasets.real_line_pages import RealLinePagesDataset
from text_recognizer.datasets.synthetic_paragraphs import SyntheticParagraphsDataset
from text_recognizer.errors import DataError

WEIGHTS = REPO / "text_recognizer" / "weights"


def shipped_data(stem: str) -> dict:
    return json.loads((WEIGHTS / f"{stem}.json").read_text())["data"]


@pytest.mark.parametrize(
    ("stem", "dataset"),
    [
        ("LineModelCtc_EmnistLinesDataset_line_crnn", EmnistLinesDataset),
        ("LineModel_EmnistLinesDataset_line_cnn_all_conv", EmnistLinesDataset),
        ("LineDetectorModel_SyntheticParagraphsDataset_fcn", SyntheticParagraphsDataset),
        ("LineDetectorModel_RealLinePagesDataset_fcn", RealLinePagesDataset),
    ],
)
def test_a_derived_card_is_the_shipped_one(stem, dataset):
    data = shipped_data(stem)
    assert dataset(**data["args"]).card() == data


def test_emnist_card_is_the_shipped_one_plus_its_new_augmentation_argument():
    data = shipped_data("CharacterModel_EmnistDataset_vgg_bn")
    dataset = EmnistDataset(**data["args"])
    dataset.set_splits({name: Split(np.zeros((size, 1, 1)), np.zeros(size)) for name, size in data["sizes"].items()})
    assert dataset.card() == {**data, "args": {**data["args"], "augmentation": None}}


def test_handwriting_lines_record_the_shipped_arguments_and_format():
    data = shipped_data("LineModelCtc_HandwritingLinesDataset_handwriting_crnn")
    dataset = HandwritingLinesDataset(**data["args"], paths={"names": "/somewhere"})
    # paths (where the files are) is left out, as before; cards made before `exclude` was an argument lack it
    assert dataset.args() == {"exclude": None, **data["args"]}
    assert dataset.source == data["source"]
    # defaults are recorded filled in, as the dataset holds them
    defaults = HandwritingLinesDataset(augmentation={}).args()
    assert defaults["corpora"] == {"iam_lines": 3.0, "hooker": 0.5, "copiste_fr": 1.0, "names": 0.5}
    assert defaults["augmentation"] == data["args"]["augmentation"]


def test_real_line_datasets_record_what_they_recorded_before(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,text\n")
    folder = LinesFolderDataset(str(tmp_path), fast=True, augmentation={"blur": 0}, test_fraction=0.2)
    assert folder.args() == {
        "labels_encoding": None,
        "on_error": "skip",
        "max_length": 34,
        "width": 952,
        "augmentation": {**folder.augmentation, "blur": 0},
        "validation_fraction": 0.1,
        "test_fraction": 0.2,
        "seed": 42,
    }
    assert folder.source == f"line images in {tmp_path} labelled by labels.csv"
    iam = IamLinesDataset(only_ok=True, root=str(tmp_path), seed=3)
    assert iam.args() == {"max_length": 100, "width": 952, "only_ok": True, "augmentation": None}
    pages = PageXmlLinesDataset(str(tmp_path), card=None, height=32, test_fraction=0.2)
    assert pages.args() == {  # `card` is kept as card_name: card() is the method
        "card": None,
        "height": 32,
        "max_width": 2048,
        "max_length": 128,
        "validation_fraction": 0.1,
        "test_fraction": 0.2,
        "seed": 42,
    }


def test_every_registered_dataset_records_each_argument_it_takes(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,text\n")
    needed = {"LinesFolderDataset": {"path": str(tmp_path)}, "PageXmlLinesDataset": {"path": str(tmp_path)}}
    for name in registry.DATASETS:
        dataset = registry.resolve("dataset", name)(**needed.get(name, {}))
        params, _ = registry.parameters("dataset", name)
        assert set(dataset.args()) == set(params) - set(dataset.card_omits), name
        json.dumps(dataset.args())  # a card is JSON


def test_an_argument_kept_under_another_name_is_a_loud_error():
    class Forgetful(EmnistLinesDataset):
        def __init__(self, glyphs: int = 3):
            super().__init__()

    with pytest.raises(AttributeError, match=r"keeps no attribute for its argument.* glyphs"):
        Forgetful().card()


def test_emnist_augmentation_is_off_by_default_and_distorts_training_batches_when_on():
    import tensorflow as tf

    assert EmnistDataset().augmentation is None
    images = np.zeros((16, 28, 28), np.float32)
    images[:, 8:20, 12:16] = 255
    batch = tf.constant(images)
    assert EmnistDataset().augment(batch) is batch
    dataset = EmnistDataset(augmentation={})
    assert dataset.augmentation == {"rotation": 0.03, "translate": 0.08}
    first, second = dataset.augment(batch).numpy(), dataset.augment(batch).numpy()
    assert first.shape == images.shape and first.min() >= 0 and first.max() <= 255
    assert np.abs(first - images).mean() > 1 and not np.allclose(first, second)  # random, batch after batch
    assert not np.allclose(first[0], first[1])  # and image by image
    unchanged = EmnistDataset(augmentation={"rotation": 0, "translate": 0}).augment(batch).numpy()
    np.testing.assert_allclose(unchanged, images, atol=1e-3)


def test_emnist_augmentation_is_the_one_the_network_held():
    """The same Keras layers and settings vgg_bn applied in training before: rotation 0.03 of a turn, then a shift
    of 0.08 of each side, both bilinear with black fill."""
    rotation, translation = EmnistDataset(augmentation={}).distort.layers
    assert type(rotation).__name__ == "RandomRotation" and type(translation).__name__ == "RandomTranslation"
    assert rotation.get_config()["factor"] in (0.03, (-0.03, 0.03))
    config = translation.get_config()
    assert (config["height_factor"], config["width_factor"]) == (0.08, 0.08)
    for layer in (rotation, translation):
        assert (layer.get_config()["fill_mode"], layer.get_config()["interpolation"]) == ("constant", "bilinear")
        assert layer.get_config()["fill_value"] == 0


def test_augmentation_settings_are_checked():
    with pytest.raises(DataError, match="Unknown augmentation setting 'shear'"):
        EmnistDataset(augmentation={"shear": 0.1})
    with pytest.raises(DataError, match="'rotation' must be a number from 0 to 1"):
        EmnistDataset(augmentation={"rotation": 2})


def test_vgg_bn_no_longer_augments_and_says_where_augment_went():
    from text_recognizer.networks.vgg_bn import vgg_bn

    network = vgg_bn((28, 28), (62,), augment=False)  # what cards written before hold
    assert not [layer for layer in network.layers if type(layer).__name__.startswith("Random")]
    with pytest.raises(ValueError, match=r'moved to the dataset: pass "dataset_args": \{"augmentation": \{\}\}'):
        vgg_bn((28, 28), (62,), augment=True)


def test_the_shipped_character_weights_load_and_predict_as_their_onnx_export(emnist_cache):
    """The network rebuilt from the shipped card (network_args "augment": false) takes every weight of the shipped
    file: its outputs match those of the ONNX file exported from the network as it was trained."""
    import warnings

    from text_recognizer.cards import load_card
    from text_recognizer.runtime import build_network, onnx_runner

    card = load_card("CharacterModel_EmnistDataset_vgg_bn")
    assert card["network_args"]["augment"] is False
    with h5py.File(emnist_cache, "r") as file:
        images, labels = file["x_test"][:256].astype(np.float32), file["y_test"][:256]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network = build_network(card)
    assert not [w for w in caught if "load" in str(w.message).lower()], [str(w.message) for w in caught]
    keras_outputs = network(images, training=False).numpy()
    onnx_outputs = onnx_runner(card)(images)
    np.testing.assert_allclose(keras_outputs, onnx_outputs, atol=1e-5)
    assert (keras_outputs.argmax(1) == onnx_outputs.argmax(1)).all()
    assert (keras_outputs.argmax(1) == labels).mean() > 0.8  # and they are the trained weights
