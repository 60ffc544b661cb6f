"""Process set-up shared by every job: logging, thread limits and seeds."""

import atexit
import gc
import logging
import os
import sys


def configure(threads: int, seed: int, log_path: str | None = None) -> logging.Logger:
    """Log to `log_path` (and stderr), pin TensorFlow to `threads` cores, seed everything.

    Must run before TensorFlow executes its first op: thread pools are fixed then.
    """
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )
    for variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[variable] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"

    import keras
    import tensorflow as tf

    # One op at a time, each using `threads` cores: a job never uses more than its share.
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    logger = logging.getLogger("fwprune")
    sys.excepthook = lambda *error: logger.critical("job failed", exc_info=error)
    # Shutdown garbage-collects the ~400,000 objects of TensorFlow and Keras (~1 s); frozen
    # objects are skipped. atexit handlers, log flushing and file closing still run.
    atexit.register(gc.freeze)
    logger.info("threads=%d seed=%d tensorflow=%s", threads, seed, tf.__version__)
    return logger
