"""Sparsity schedules of gradual pruning (pure numpy).

`polynomial_decay` is the schedule of Zhu & Gupta (2017), "To prune, or not to prune",
eq. (1), which TensorFlow Model Optimization implements as
`tfmot.sparsity.keras.PolynomialDecay` (`pruning_schedule.py`). There, at training step
`step` (the optimizer's batch counter, `optimizer.iterations`),

    p = clip((step - begin_step) / (end_step - begin_step), 0, 1)
    s = final_sparsity + (initial_sparsity - final_sparsity) (1 - p)^power

and a mask is recomputed only when begin_step <= step <= end_step and
(step - begin_step) % frequency == 0.

Ours counts pruning steps, not batches: step t = 1..n is one pruning event followed by E
retraining epochs, and

    s_t = s_final + (s_init - s_final) (1 - t/n)^power,    so s_n = s_final exactly.

Mapping, with B batches per epoch and E = retrain_epochs: our step t is tfmot's step
begin_step + t * frequency with frequency = E * B and end_step = begin_step + n * frequency
(end_step - begin_step must be a multiple of frequency, or tfmot never prunes at
final_sparsity). Two differences, both at the ends:
- tfmot also prunes at begin_step itself (t = 0, at initial_sparsity) and then trains E
  epochs before the t = 1 event; we skip that event and that dense stretch: the
  checkpoint plays the part of the t = 0 state. With the default s_init = 0 that event
  is a no-op anyway.
- tfmot trains on after end_step at final_sparsity (its "fine-tuning"); ours retrains E
  epochs after the t = n event, then the pipeline's fine-tune stage takes over.
"""

import numpy as np

from fwprune.masks import keep_count, keep_counts


def polynomial_decay(s_init: float, s_final: float, steps: int, power: float) -> np.ndarray:
    """s_t = s_final + (s_init - s_final)(1 - t/n)^power for t = 1..n; s_n = s_final exactly.

    power = 3 is Zhu & Gupta's cubic schedule (and tfmot's default); power = 1 is the
    linear schedule of FW with momentum (paper Algorithm 4),
    s_i = s_init + i (s_final - s_init) / N (METHODS.md).
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if not power > 0:
        raise ValueError(f"power must be positive, got {power}")
    for name, value in (("s_init", s_init), ("s_final", s_final)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    remaining = 1.0 - np.arange(1, steps + 1) / steps
    schedule = s_final + (s_init - s_final) * remaining**power
    schedule[-1] = s_final  # exact, whatever the rounding
    return schedule


def keep_schedule(n: int, s_init: float, s_final: float, steps: int, power: float) -> list[int]:
    """k_t = n - round(s_t n): the weights kept after each pruning step."""
    return [keep_count(n, s) for s in polynomial_decay(s_init, s_final, steps, power)]


def layer_keep_schedule(
    layers: np.ndarray, s_init: float, s_final: float, steps: int, power: float
) -> list[np.ndarray]:
    """k_(l,t) = n_l - round(s_t n_l): per step t, the units each layer l of `layers` (each
    unit's layer index; all 0 = global, giving [k_t]) keeps after that step."""
    return [keep_counts(layers, s) for s in polynomial_decay(s_init, s_final, steps, power)]


def retraining_epochs(params: dict) -> int:
    """Epochs a method trains after the checkpoint: its dense epochs, E per iteration,
    then E_ft fine-tuning.

    The compute-matched dense control trains the unpruned checkpoint this long.
    """
    iterations = params.get("iterations", 0) * params.get("retrain_epochs", 0)
    return params["dense_epochs"] + iterations + params["finetune_epochs"]
