"""Process set-up shared by every job: logging, thread limits and seeds."""

import atexit
import gc
import logging
import os
import sys

JOB_STARTED, JOB_FINISHED = "job started", "job finished"


def log_to(log_path: str | None = None) -> logging.Logger:
    """Log to `log_path` (and stderr), each line timestamped. A job's log (`log_path` given)
    starts with JOB_STARTED and ends with JOB_FINISHED, logged when the process exits.

    Every job logs through here, so its log says when it ran: the tests check with these
    two lines that no job ran beside a timing job.
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
    logger = logging.getLogger("fwprune")
    sys.excepthook = lambda *error: logger.critical("job failed", exc_info=error)
    if log_path:
        logger.info(JOB_STARTED)
        atexit.register(logger.info, JOB_FINISHED)
    return logger


def start(threads: int, log_path: str | None = None) -> logging.Logger:
    """Log as `log_to` does and limit native thread pools to `threads`, without importing
    TensorFlow: the set-up of a job that runs LiteRT and numpy only."""
    logger = log_to(log_path)
    for variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[variable] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    # Shutdown garbage-collects the ~400,000 objects of TensorFlow and Keras (~1 s); frozen
    # objects are skipped. atexit handlers, log flushing and file closing still run.
    atexit.register(gc.freeze)
    return logger


def configure(threads: int, seed: int, log_path: str | None = None) -> logging.Logger:
    """Set up as `start` does, pin TensorFlow to `threads` cores, seed everything.

    Must run before TensorFlow executes its first op: thread pools are fixed then.
    """
    logger = start(threads, log_path)

    import keras
    import tensorflow as tf

    # One op at a time, each using `threads` cores: a job never uses more than its share.
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    logger.info("threads=%d seed=%d tensorflow=%s", threads, seed, tf.__version__)
    return logger
