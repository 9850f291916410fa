"""Safe parsing of typed formulas such as "x**2 + 10*y**2" into teachtf ops (never `eval`).

The text is parsed with `ast` and only a small grammar is accepted: numbers,
the variables (x, y), the constants pi and e, + − * / ** and unary minus,
and calls of a fixed list of functions (sin, cos, exp, log, sqrt, tanh, abs,
square, sigmoid). Anything else — attribute access, subscripts, names other
than these, keyword arguments — is rejected with a message that names it.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

FUNCTIONS = ("sin", "cos", "exp", "log", "sqrt", "tanh", "abs", "square", "sigmoid")
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_LENGTH = 300
MAX_DEPTH = 40

_BINOPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True)
class Expression:
    """A validated formula in `variables`; `build(x=..., y=...)` makes the teachtf tensor computing it."""

    text: str
    variables: tuple[str, ...]
    tree: ast.Expression

    def build(self, **tensors):
        """The formula as teachtf ops on `tensors` (one per variable; Tensors, Variables or arrays)."""
        import teachtf as tf

        missing = set(self.variables) - set(tensors)
        if missing:
            raise ValueError(f"build() needs a value for {sorted(missing)}.")
        result = _build(self.tree.body, tensors, tf)
        if not tf.is_tensor(result):
            result = tf.constant(float(result), tf.float32)
        return result


def parse_expression(text: str, variables=("x", "y")) -> Expression:
    """Parses and validates `text` (a formula in `variables`); raises ValueError explaining what is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Type a formula in x and y, for example  x**2 + 10*y**2.")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"The formula is longer than {MAX_LENGTH} characters.")
    source = text.strip().replace("^", "**").replace("−", "-").replace("·", "*")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise ValueError(f"Cannot read the formula {text!r}: {e.msg} at column {e.offset}.") from None
    used: set[str] = set()
    _check(tree.body, tuple(variables), used, 0)
    if not used:
        raise ValueError(f"The formula {text!r} does not use {' or '.join(variables)}; it would be a flat surface.")
    return Expression(text.strip(), tuple(variables), tree)


def _check(node, variables, used, depth) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("The formula is nested too deeply.")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ValueError(f"Only numbers are allowed as constants, not {node.value!r}.")
    elif isinstance(node, ast.Name):
        if node.id in variables:
            used.add(node.id)
        elif node.id not in CONSTANTS:
            allowed = ", ".join(list(variables) + list(CONSTANTS))
            raise ValueError(f"Unknown name {node.id!r}: use {allowed}, or a function ({', '.join(FUNCTIONS)}).")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise ValueError(f"The operator {type(node.op).__name__} is not allowed; use + - * / ** only.")
        _check(node.left, variables, used, depth + 1)
        _check(node.right, variables, used, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ValueError(f"The operator {type(node.op).__name__} is not allowed.")
        _check(node.operand, variables, used, depth + 1)
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = name or ast.unparse(node.func)
            raise ValueError(f"The function {shown!r} is not allowed; use one of {', '.join(FUNCTIONS)}.")
        if node.keywords or len(node.args) != 1:
            raise ValueError(f"{name}() takes exactly one argument.")
        _check(node.args[0], variables, used, depth + 1)
    else:
        raise ValueError(f"{type(node).__name__} is not allowed in a formula ({ast.unparse(node)!r}).")


def _build(node, tensors, tf):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return tensors[node.id] if node.id in tensors else CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _build(node.operand, tensors, tf)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _build(node.left, tensors, tf), _build(node.right, tensors, tf)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        if not tf.is_tensor(a) and not tf.is_tensor(b):
            return float(a) ** float(b)
        if not tf.is_tensor(b) and float(b) == 2.0:
            return tf.square(a)  # x**2: the square op, whose gradient is defined at x = 0
        return tf.pow(a, b) if tf.is_tensor(a) else tf.pow(tf.constant(float(a), tf.float32), b)
    fn = {"sigmoid": tf.sigmoid, "abs": tf.abs}.get(node.func.id) or getattr(tf, node.func.id)
    arg = _build(node.args[0], tensors, tf)
    if not tf.is_tensor(arg):
        arg = tf.constant(float(arg), tf.float32)
    return fn(arg)
