"""The learning rate of each absolute epoch (fwprune.learning_rates.learning_rate_at), on the
step decay of issue 22: 6 epochs at 0.05, 3 at 0.01, 3 at 0.002."""

import pytest

from fwprune.learning_rates import describe_learning_rates, learning_rate_at

STEPS = [
    {"epochs": 6, "learning_rate": 0.05},
    {"epochs": 3, "learning_rate": 0.01},
    {"epochs": 3, "learning_rate": 0.002},
]


@pytest.mark.parametrize(
    "epoch, rate",
    [
        (1, 0.05),  # the first epoch after initialisation
        (6, 0.05),  # the last epoch of the first step
        (7, 0.01),  # the first of the second
        (9, 0.01),
        (10, 0.002),
        (12, 0.002),  # the schedule's last epoch
        (13, 0.002),  # beyond the end: the last step's rate holds
        (100, 0.002),
    ],
)
def test_each_epoch_gets_its_step_rate(epoch, rate):
    assert learning_rate_at(STEPS, 0.01, epoch) == rate


def test_the_schedule_is_the_whole_sequence_of_rates():
    rates = [learning_rate_at(STEPS, 0.01, epoch) for epoch in range(1, 15)]
    assert rates == [0.05] * 6 + [0.01] * 3 + [0.002] * 5


@pytest.mark.parametrize("steps", [None, []])
def test_no_steps_is_the_constant_rate(steps):
    assert {learning_rate_at(steps, 0.01, epoch) for epoch in (1, 2, 50)} == {0.01}


def test_one_epoch_steps():
    steps = [{"epochs": 1, "learning_rate": 0.0}, {"epochs": 1, "learning_rate": 0.1}]
    assert [learning_rate_at(steps, 0.5, epoch) for epoch in (1, 2, 3)] == [0.0, 0.1, 0.1]


def test_bad_epochs_fail():
    with pytest.raises(ValueError, match="epochs count from 1"):
        learning_rate_at(STEPS, 0.01, 0)
    with pytest.raises(ValueError, match="at least 1 epoch"):
        learning_rate_at([{"epochs": 0, "learning_rate": 0.1}], 0.01, 1)


def test_a_table_cell_names_the_absolute_epochs_of_each_rate():
    assert describe_learning_rates(STEPS) == "1-6: 0.05, 7-9: 0.01, 10+: 0.002"
    one = [{"epochs": 1, "learning_rate": 0.1}, {"epochs": 2, "learning_rate": 0.01}]
    assert describe_learning_rates(one) == "1: 0.1, 2+: 0.01"
    assert describe_learning_rates([{"epochs": 4, "learning_rate": 0.05}]) == "1+: 0.05"
