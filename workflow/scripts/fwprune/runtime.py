"""Process set-up shared by every job: logging, its work record, thread limits and seeds."""

import atexit
import gc
import json
import logging
import os
import resource
import sys

from fwprune.io import atomic_output

JOB_STARTED, JOB_FINISHED = "job started", "job finished"

# What this process's job did, written to its work record when it exits (`log_to`): the
# training it did (`record_training`; none unless told) and the CPU it took.
_work = {"epochs": 0, "examples": 0}


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that have ended."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def record_training(epochs: int, examples: int) -> None:
    """The epochs this job trained and the examples they passed over, for its work record."""
    _work.update(epochs=epochs, examples=examples)


def write_work(path: str) -> None:
    """The job's work record (JSON): `_work` and its CPU so far, which `benchmarks.cost`
    reads beside its benchmark file."""
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(_work | {"cpu_seconds": cpu_seconds()}) + "\n")


def log_to(log_path: str | None = None, work_path: str | None = None) -> logging.Logger:
    """Log to `log_path` (and stderr), each line timestamped. A job's log (`log_path` given)
    starts with JOB_STARTED and ends with JOB_FINISHED, logged when the process exits; its
    work record (`work_path`) is written after that, the last thing the job does.

    Every job logs through here, so its log says when it ran: the tests check with these
    two lines that no job ran beside a timing job.
    """
    if work_path:
        # atexit runs its handlers last registered first: this one after every other.
        atexit.register(write_work, work_path)
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


def start(
    threads: int, log_path: str | None = None, work_path: str | None = None
) -> logging.Logger:
    """Log as `log_to` does and limit native thread pools to `threads`, without importing
    TensorFlow: the set-up of a job that runs LiteRT and numpy only."""
    logger = log_to(log_path, work_path)
    for variable in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[variable] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    # Shutdown garbage-collects the ~400,000 objects of TensorFlow and Keras (~1 s); frozen
    # objects are skipped. atexit handlers, log flushing and file closing still run.
    atexit.register(gc.freeze)
    return logger


def configure(
    threads: int, seed: int, log_path: str | None = None, work_path: str | None = None
) -> logging.Logger:
    """Set up as `start` does, pin TensorFlow to `threads` cores, seed everything.

    Must run before TensorFlow executes its first op: thread pools are fixed then.
    """
    logger = start(threads, log_path, work_path)

    import keras
    import tensorflow as tf

    # One op at a time, each using `threads` cores: a job never uses more than its share.
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)
    logger.info("threads=%d seed=%d tensorflow=%s", threads, seed, tf.__version__)
    return logger
