"""Benchmark the shipped character model: accuracy (62 classes, case-merged, through the predictor on
black-on-white and enlarged inputs) and CharacterPredictor latency/throughput.

    python bench/character_model.py [--card CharacterModel_EmnistDataset_vgg_bn] [--backend tensorflow|onnx]
        [--resampling]

--resampling adds a diagnosis on the card's validation split and the test part: accuracy of the network on the
28x28 images as stored, slightly blurred, shifted by half a pixel, and averaged over rotations of 0 and +-5 degrees.
If resampled images score better than the originals, training saw only resampled (augmented) images.
"""

import argparse
import os
import statistics
import time

import cv2
import numpy as np

from text_recognizer.character_predictor import DEFAULT_CARD, CharacterPredictor
from text_recognizer.datasets.emnist import EmnistDataset

MERGED = "cijklmopsuvwxyz"  # letters whose cases EMNIST's balanced split merges


def merged(character: str) -> str:
    return character.upper() if character.lower() in MERGED else character


def accuracies(predicted: list[str], truth: list[str]) -> tuple[float, float]:
    exact = np.mean([p == t for p, t in zip(predicted, truth, strict=True)])
    case_merged = np.mean([merged(p) == merged(t) for p, t in zip(predicted, truth, strict=True)])
    return float(exact), float(case_merged)


def predict_all(predictor: CharacterPredictor, images: list[np.ndarray]) -> list[str]:
    return [
        character
        for start in range(0, len(images), 512)
        for character, _ in predictor.predict_batch(images[start : start + 512])
    ]


def resampled(images: np.ndarray, angle: float = 0.0, shift: float = 0.0) -> np.ndarray:
    matrix = cv2.getRotationMatrix2D((13.5, 13.5), angle, 1.0)
    matrix[:, 2] += shift
    return np.stack([cv2.warpAffine(image, matrix, (28, 28), flags=cv2.INTER_LINEAR) for image in images])


def resampling_check(predictor: CharacterPredictor) -> None:
    data = EmnistDataset(**predictor.card["data"]["args"]).prepare()

    def probabilities(images: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [predictor.run(images[i : i + 2048].astype(np.float32)) for i in range(0, len(images), 2048)]
        )

    for part_name, part in (("validation", data.val), ("test", data.test)):
        truth = [predictor.mapping[label] for label in part.y]
        views = {
            "as stored": probabilities(part.x),
            "Gaussian blur 3x3, sigma 0.6": probabilities(np.stack([cv2.GaussianBlur(x, (3, 3), 0.6) for x in part.x])),
            "shifted by half a pixel": probabilities(resampled(part.x, shift=0.5)),
            "mean over rotations 0, +-5 degrees": sum(probabilities(resampled(part.x, angle)) for angle in (0, 5, -5)),
        }
        for view, scores in views.items():
            exact, case_merged = accuracies([predictor.mapping[i] for i in scores.argmax(axis=1)], truth)
            print(f"  {part_name:10s} {view:36s} accuracy {exact:.4f}   case-merged {case_merged:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--backend", default=None, help="tensorflow or onnx (default: onnx when exported)")
    parser.add_argument("--resampling", action="store_true", help="also run the resampling diagnosis (see above)")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    predictor = CharacterPredictor(args.card, backend=args.backend)
    test = EmnistDataset().prepare().test
    truth = [predictor.mapping[label] for label in test.y]
    variants = {
        "as stored (28x28, white on black)": list(test.x),
        "black on white": [255 - image for image in test.x],
        "enlarged 4x, black on white, colour": [
            cv2.cvtColor(cv2.resize(255 - image, (112, 112), interpolation=cv2.INTER_CUBIC), cv2.COLOR_GRAY2BGR)
            for image in test.x
        ],
    }
    print(f"Test part: {len(truth)} real EMNIST ByClass characters")
    for name, images in variants.items():
        exact, case_merged = accuracies(predict_all(predictor, images), truth)
        print(f"  {name:40s} accuracy {exact:.4f}   case-merged {case_merged:.4f}")
    if args.resampling:
        print("Resampling check: the network on 28x28 images")
        resampling_check(predictor)

    image = test.x[0]
    for _ in range(20):
        predictor.predict(image)
    times = []
    for _ in range(300):
        start = time.perf_counter()
        predictor.predict(image)
        times.append((time.perf_counter() - start) * 1000)
    batch = list(test.x[:1024])
    predictor.predict_batch(batch)
    start = time.perf_counter()
    predictor.predict_batch(batch)
    throughput = len(batch) / (time.perf_counter() - start)
    print(
        f"CharacterPredictor: single image median {statistics.median(times):.2f} ms "
        f"(p90 {np.percentile(times, 90):.2f} ms); batch of 1024: {throughput:,.0f} images/s"
    )


if __name__ == "__main__":
    main()
