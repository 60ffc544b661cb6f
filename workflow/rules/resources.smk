# The resources a job asks for (threads, memory, minutes); defaults for every rule are
# in the profiles (profiles/default/, slurm/).

# Resources, from the benchmark files of a full run on a 2-core machine (docs/performance.md):
# peak memory 0.9-1.5 GB per job, a full-data training epoch 12-15 s of one core (50 s on
# a loaded machine). Each retry asks for `attempt` times as much, so that a job a cluster
# killed for memory or time gets more.
MINUTES_PER_EPOCH = 2
# A job that trains nothing (an evaluation, a fine-tune of 0 epochs, which copies): 5-25 s
# measured. Grouped on a cluster, these minutes add up to a group job's request.
SHORT_JOB_MINUTES = 2


def retried(amount):
    """A resource of `amount` times the attempt."""
    return lambda wildcards, attempt: amount * attempt


def training_minutes(epochs):
    """Run time of a job that trains at most `epochs` epochs (5 minutes plus 2 per epoch);
    a copy (0 epochs) is a short job. `epochs` may be a function of the wildcards."""

    def minutes(wildcards, attempt):
        count = epochs(wildcards) if callable(epochs) else epochs
        if count == 0:
            return SHORT_JOB_MINUTES * attempt
        return (5 + MINUTES_PER_EPOCH * count) * attempt

    return minutes
