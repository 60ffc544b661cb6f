"""The names of the models in the metrics table: base, a method, dense+E."""

import re

import pytest

from fwprune import names


def test_a_control_is_named_by_its_epochs_and_read_back():
    assert names.control(4) == "dense+4"
    assert names.control_epochs("dense+12") == 12
    assert names.control_epochs("base") is None and names.control_epochs("fw") is None


@pytest.mark.parametrize(
    "name, method, extra", [("base", False, 0), ("dense+3", False, 3), ("fw", True, None)]
)
def test_each_kind_of_name(name, method, extra):
    assert names.is_method(name) is method
    if extra is None:
        with pytest.raises(ValueError, match="pruned model"):
            names.extra_epochs(name)
    else:
        assert names.extra_epochs(name) == extra


def test_the_pattern_matches_exactly_the_model_names():
    pattern = re.compile(names.model_pattern(["fw", "fw_momentum"]))
    for name in ("base", "fw", "fw_momentum", "dense+1", "dense+10"):
        assert pattern.fullmatch(name), name
    for name in ("gmp", "dense+", "dense+x", "fw/x"):
        assert not pattern.fullmatch(name), name
