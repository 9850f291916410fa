"""The TF1 optimizers with their exact defaults and update rules (API.md §12.2).

Each class only names its slots and hyperparameters; the update formula lives
in the matching fused op of `training_ops.py`. Slot variables are named
`<var>/<OptimizerName>`, `<var>/<OptimizerName>_1`, … (API.md §3.7).
"""

from __future__ import annotations

from ..framework import graph as _graph
from . import proximal_ops, training_ops
from .optimizer import Optimizer

__all__ = ["AdadeltaOptimizer", "AdagradOptimizer", "AdamOptimizer", "FtrlOptimizer", "GradientDescentOptimizer",
           "MomentumOptimizer", "Optimizer", "ProximalAdagradOptimizer", "ProximalGradientDescentOptimizer",
           "RMSPropOptimizer"]


def _positive_initial_accumulator(value):
    """The Adagrad family's starting accumulator value, which TF1 requires to be positive."""
    if value <= 0.0:
        raise ValueError(f"initial_accumulator_value must be positive: {value}")
    return value


class GradientDescentOptimizer(Optimizer):
    """θ ← θ − lr·g."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _prepare(self):
        self._lr_t = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(var, self._as_var_dtype(self._lr_t, var), grad,
                                                   use_locking=self._use_locking).op


class MomentumOptimizer(Optimizer):
    """a ← μ·a + g; θ ← θ − lr·a (Nesterov: θ ← θ − lr·(g + μ·a)). Slot 'momentum' (zeros)."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum", use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._learning_rate, "learning_rate")
        self._momentum_t = self._hyper(self._momentum, "momentum")

    def _apply_dense(self, grad, var):
        return training_ops.apply_momentum(var, self.get_slot(var, "momentum"), self._as_var_dtype(self._lr_t, var),
                                           grad, self._as_var_dtype(self._momentum_t, var),
                                           use_locking=self._use_locking, use_nesterov=self._use_nesterov).op


class AdagradOptimizer(Optimizer):
    """s ← s + g²; θ ← θ − lr·g/√s (no ε). Slot 'accumulator' starts at `initial_accumulator_value`."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False, name="Adagrad"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = _positive_initial_accumulator(initial_accumulator_value)

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._learning_rate, "learning_rate")

    def _apply_dense(self, grad, var):
        return training_ops.apply_adagrad(var, self.get_slot(var, "accumulator"),
                                          self._as_var_dtype(self._lr_t, var), grad,
                                          use_locking=self._use_locking).op


class RMSPropOptimizer(Optimizer):
    """ms ← ρ·ms + (1−ρ)·g²; mom ← μ·mom + lr·g/√(ms + ε); θ ← θ − mom.

    Slots: 'rms' (ones), 'mg' (zeros, only when `centered`), 'momentum' (zeros).
    Centered: mg ← ρ·mg + (1−ρ)·g and the denominator is √(ms − mg² + ε).
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False, centered=False,
                 name="RMSProp"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot(v, 1, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._learning_rate, "learning_rate")
        self._decay_t = self._hyper(self._decay, "decay")
        self._momentum_t = self._hyper(self._momentum, "momentum")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        hyper = [self._as_var_dtype(t, var) for t in (self._lr_t, self._decay_t, self._momentum_t, self._epsilon_t)]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return training_ops.apply_centered_rms_prop(var, self.get_slot(var, "mg"), rms, mom, *hyper, grad,
                                                        use_locking=self._use_locking).op
        return training_ops.apply_rms_prop(var, rms, mom, *hyper, grad, use_locking=self._use_locking).op


class AdadeltaOptimizer(Optimizer):
    """A ← ρA + (1−ρ)g²; Δ ← √(U+ε)/√(A+ε)·g; U ← ρU + (1−ρ)Δ²; θ ← θ − lr·Δ. Slots 'accum', 'accum_update'."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False, name="Adadelta"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._rho = rho
        self._epsilon = epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._lr, "lr")
        self._rho_t = self._hyper(self._rho, "rho")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        hyper = [self._as_var_dtype(t, var) for t in (self._lr_t, self._rho_t, self._epsilon_t)]
        return training_ops.apply_adadelta(var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
                                           *hyper, grad, use_locking=self._use_locking).op


class AdamOptimizer(Optimizer):
    """lr_t = lr·√(1−β2^t)/(1−β1^t); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ − lr_t·m/(√v + ε).

    Slots 'm' and 'v' (zeros); the non-slot variables `beta1_power` and
    `beta2_power` start at β1 and β2 and are multiplied by them after each update.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self):
        g = _graph.get_default_graph()
        return self._get_non_slot_variable("beta1_power", g), self._get_non_slot_variable("beta2_power", g)

    def _create_slots(self, var_list):
        first_var = min(var_list, key=lambda v: v.name)
        self._create_non_slot_variable(self._call_if_callable(self._beta1), "beta1_power", first_var)
        self._create_non_slot_variable(self._call_if_callable(self._beta2), "beta2_power", first_var)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self):
        self._lr_t = self._hyper(self._lr, "learning_rate")
        self._beta1_t = self._hyper(self._beta1, "beta1")
        self._beta2_t = self._hyper(self._beta2, "beta2")
        self._epsilon_t = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        beta1_power, beta2_power = self._get_beta_accumulators()
        scalars = [self._as_var_dtype(t, var) for t in (beta1_power, beta2_power, self._lr_t, self._beta1_t,
                                                        self._beta2_t, self._epsilon_t)]
        return training_ops.apply_adam(var, self.get_slot(var, "m"), self.get_slot(var, "v"), *scalars, grad,
                                       use_locking=self._use_locking).op

    def _finish(self, update_ops, name_scope):
        from ..ops.control_flow_ops import group

        beta1_power, beta2_power = self._get_beta_accumulators()
        with _graph.control_dependencies(update_ops):
            update_beta1 = beta1_power.assign(beta1_power * self._beta1_t, use_locking=self._use_locking)
            update_beta2 = beta2_power.assign(beta2_power * self._beta2_t, use_locking=self._use_locking)
        return group(*update_ops, update_beta1, update_beta2, name=name_scope)


class _ProximalOptimizer(Optimizer):
    """What the proximal optimizers share: a learning rate and L1/L2 strengths, passed to their update ops uncast
    (as in TF1: a float64 variable needs float64 tensors for them)."""

    def __init__(self, learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking, name):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _prepare(self):
        self._lr_t = self._hyper(self._learning_rate, "learning_rate")
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength")
        self._l2_t = self._hyper(self._l2, "l2_regularization_strength")


class ProximalGradientDescentOptimizer(_ProximalOptimizer):
    """p = θ − lr·g; θ ← sign(p)·max(|p| − lr·l1, 0)/(1 + lr·l2). No slots."""

    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalGradientDescent"):
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking, name)

    def _apply_dense(self, grad, var):
        return proximal_ops.apply_proximal_gradient_descent(var, self._lr_t, self._l1_t, self._l2_t, grad,
                                                            use_locking=self._use_locking).op


class ProximalAdagradOptimizer(_ProximalOptimizer):
    """s ← s + g²; r = lr/√s; p = θ − r·g; θ ← sign(p)·max(|p| − r·l1, 0)/(1 + r·l2).

    Slot 'accumulator' starts at `initial_accumulator_value`.
    """

    def __init__(self, learning_rate, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False, name="ProximalAdagrad"):
        initial_accumulator_value = _positive_initial_accumulator(initial_accumulator_value)
        super().__init__(learning_rate, l1_regularization_strength, l2_regularization_strength, use_locking, name)
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        from ..ops.constant_op import constant

        for v in var_list:
            # TF1 builds the starting value as a constant beside the variable, not inside the slot's initializer.
            start = constant(self._initial_accumulator_value, shape=v.shape.as_list(), dtype=v.dtype.base_dtype)
            self._get_or_make_slot(v, lambda start=start: start, "accumulator", self._name)

    def _apply_dense(self, grad, var):
        return proximal_ops.apply_proximal_adagrad(var, self.get_slot(var, "accumulator"), self._lr_t, self._l1_t,
                                                   self._l2_t, grad, use_locking=self._use_locking).op


class FtrlOptimizer(Optimizer):
    """FTRL-proximal (McMahan et al. 2013), the update of TF1's ApplyFtrl (formula in `proximal_ops.apply_ftrl`).

    Slots 'accum' (starts at `initial_accumulator_value`) and 'linear' (zeros). `beta` is folded into the L2
    strength as l2 + beta/(2·lr); `l2_shrinkage_regularization_strength` > 0 selects ApplyFtrlV2.
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False, name="Ftrl",
                 accum_name=None, linear_name=None, l2_shrinkage_regularization_strength=0.0, beta=None):
        super().__init__(use_locking, name)
        for what, value, ok, need in (
                ("initial_accumulator_value", initial_accumulator_value, initial_accumulator_value >= 0.0,
                 "positive or zero"),
                ("learning_rate_power", learning_rate_power, learning_rate_power <= 0.0, "negative or zero"),
                ("l1_regularization_strength", l1_regularization_strength, l1_regularization_strength >= 0.0,
                 "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength, l2_regularization_strength >= 0.0,
                 "positive or zero"),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                 l2_shrinkage_regularization_strength >= 0.0, "positive or zero")):
            if not ok:
                raise ValueError(f"{what} {value:f} needs to be {need}")
        self._learning_rate = learning_rate
        self._learning_rate_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._get_or_make_slot(v, lambda v=v: self._accum_initial_value(v), "accum",
                                   self._accum_name or self._name)
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _accum_initial_value(self, var):
        from ..ops.array_ops import ones

        return ones(var.shape.as_list(), dtype=var.dtype.base_dtype) * self._initial_accumulator_value

    def _prepare(self):
        from ..ops.constant_op import convert_to_tensor
        from ..ops.math_ops import maximum

        self._lr_t = self._hyper(self._learning_rate, "learning_rate")
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength")
        # TF1 builds l2 + beta/(2·max(lr, 1e-36)) as ops even when beta is 0.
        self._adjusted_l2_t = convert_to_tensor(
            self._l2 + self._beta / (2.0 * maximum(self._call_if_callable(self._learning_rate), 1e-36)),
            name="adjusted_l2_regularization_strength")
        self._beta_t = self._hyper(self._beta, "beta")  # unused by the update (beta is in adjusted l2): TF1's graph
        self._l2_shrinkage_t = self._hyper(self._l2_shrinkage, "l2_shrinkage_regularization_strength")
        self._lr_power_t = self._hyper(self._learning_rate_power, "learning_rate_power")

    def _apply_dense(self, grad, var):
        cast = [self._as_var_dtype(t, var) for t in (self._lr_t, self._l1_t, self._adjusted_l2_t, self._lr_power_t)]
        shrinkage = self._as_var_dtype(self._l2_shrinkage_t, var) if self._l2_shrinkage > 0.0 else None
        return proximal_ops.apply_ftrl(var, self.get_slot(var, "accum"), self.get_slot(var, "linear"), grad, *cast,
                                       l2_shrinkage=shrinkage, use_locking=self._use_locking).op
