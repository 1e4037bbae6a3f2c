"""Data-parallel training: MirroredStrategy over one machine's devices, MultiWorkerMirroredStrategy across
machines when TF_CONFIG describes a cluster. TensorFlow is imported only when a strategy is made."""

import json
import logging
import os

from text_recognizer import settings

log = logging.getLogger("text_recognizer")


def cluster() -> dict | None:
    """The TF_CONFIG cluster description, when this process is one worker of several."""
    text = os.environ.get("TF_CONFIG")
    return json.loads(text) if text else None


def is_chief() -> bool:
    """Whether this process is the one that reports (W&B, shipped weights): always, unless it is a non-chief worker."""
    config = cluster()
    if not config:
        return True
    task = config.get("task", {})
    if "chief" in config.get("cluster", {}):
        return task.get("type") == "chief"
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0


def make_strategy(distribute: str):
    """The tf.distribute strategy for train_args.distribute ("auto", "mirrored" or "off"), described in the log."""
    import tensorflow as tf

    if distribute != "off" and cluster():
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        log.info("Data-parallel across workers (TF_CONFIG): %d replicas in sync.", strategy.num_replicas_in_sync)
        return strategy
    _split_cpu(tf)
    devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    if distribute == "mirrored" or (distribute == "auto" and len(devices) > 1):
        strategy = tf.distribute.MirroredStrategy([device.name for device in devices])
        log.info("Data-parallel on %s (MirroredStrategy).", ", ".join(device.name for device in devices))
        return strategy
    return tf.distribute.get_strategy()


def _split_cpu(tf) -> None:
    count = settings.cpu_devices()
    if count > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
