"""Which device a run uses, decided before TensorFlow is imported (by setting CUDA_VISIBLE_DEVICES)."""

import logging
import os

log = logging.getLogger("text_recognizer")


def visible_gpu_indices() -> tuple[list[int], str | None]:
    """Indices of the NVIDIA GPUs on this machine, and why there are none when the list is empty."""
    try:
        import gpustat

        return [gpu.index for gpu in gpustat.new_query().gpus], None
    except Exception as error:  # NVML raises its own errors when there is no driver
        return [], f"{type(error).__name__}: {error}".strip(": ")


def use_device(gpu: int | None) -> str:
    """Make only `gpu` visible to TensorFlow (the first GPU when None, the CPU when there is none); describe it."""
    gpus, reason = visible_gpu_indices()
    if not gpus:
        message = f"No GPU found ({reason or 'none reported'}); training on the CPU."
    elif gpu is not None and gpu not in gpus:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        message = f"GPU {gpu} does not exist (GPUs: {gpus}); training on the CPU."
    else:
        chosen = gpus[0] if gpu is None else gpu
        os.environ["CUDA_VISIBLE_DEVICES"] = str(chosen)
        message = f"Training on GPU {chosen}."
    log.info(message)
    return message
