"""tf.flags (also tf.app.flags): command-line flags as TF1 programs define them (API.md §18).

    tf.flags.DEFINE_integer("steps", 100, "training steps")
    FLAGS = tf.flags.FLAGS
    print(FLAGS.steps)          # parses sys.argv on first use

Parsing keeps only the flags it knows and leaves everything else (Jupyter
starts kernels with `-f kernel.json`, which TF1's parser rejects). Defining a
flag twice, as re-running a notebook cell does, replaces it with a warning
(strict mode raises DuplicateFlagError as TF1 does).
"""

from __future__ import annotations

import sys

from .ext import strict as _strict


class Error(Exception):
    """Base class of flag errors."""


class DuplicateFlagError(Error):
    pass


class IllegalFlagValueError(Error, ValueError):
    pass


class UnrecognizedFlagError(Error, AttributeError):
    pass


def _parse_bool(text):
    if isinstance(text, bool):
        return text
    t = str(text).lower()
    if t in ("true", "t", "1", "yes", "y"):
        return True
    if t in ("false", "f", "0", "no", "n"):
        return False
    raise ValueError(f"Non-boolean argument to boolean flag: {text!r}")


def _parse_list(text):
    if isinstance(text, (list, tuple)):
        return list(text)
    return [s.strip() for s in str(text).split(",") if s.strip()]


class Flag:
    """One flag: `.name`, `.default`, `.value`, `.help`, `.present` (given on the command line)."""

    def __init__(self, name, default, help_text, parser, kind, enum_values=None, multi=False):
        self.name = name
        self.help = help_text
        self.parser = parser
        self.kind = kind
        self.enum_values = enum_values
        self.multi = multi
        self.default = None if default is None else self.parse(default)
        self.value = self.default
        self.present = 0

    def parse(self, text):
        if self.multi:
            items = text if isinstance(text, (list, tuple)) else [text]
            return [self._parse_one(t) for t in items]
        return self._parse_one(text)

    def _parse_one(self, text):
        try:
            value = self.parser(text)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError(f"flag --{self.name}={text}: {e}") from None
        if self.enum_values is not None and value not in self.enum_values:
            raise IllegalFlagValueError(f"flag --{self.name}={text}: value should be one of "
                                        f"<{'|'.join(self.enum_values)}>")
        return value

    def __repr__(self):
        return f"<Flag --{self.name}={self.value!r}>"


class FlagValues:
    """The registry of defined flags; attribute access gives values (parsing sys.argv on first use)."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)

    # -- definition --------------------------------------------------------------------------------------
    def _define(self, flag: Flag):
        flags = self._flags
        if flag.name in flags:
            _strict.lenient(f"flag:{flag.name}", f"The flag '{flag.name}' is defined twice (a re-run notebook cell?); "
                            "teachtf replaces the old definition.",
                            DuplicateFlagError(f"The flag '{flag.name}' is defined twice."))
        flags[flag.name] = flag
        if self._parsed:
            self._apply_argv(sys.argv[1:], only=flag.name)

    # -- parsing -----------------------------------------------------------------------------------------------
    def __call__(self, argv, known_only=True):
        """Parses `argv` (argv[0] is the program); returns argv[0] plus the arguments it did not consume."""
        argv = list(argv)
        rest = self._apply_argv(argv[1:])
        object.__setattr__(self, "_parsed", True)
        return argv[:1] + rest

    def _apply_argv(self, args, only=None):
        rest = []
        i = 0
        flags = self._flags
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                rest.extend(args[i:])
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            body = arg.lstrip("-")
            name, eq, value = body.partition("=")
            flag = flags.get(name)
            negated = False
            if flag is None and name.startswith("no") and flags.get(name[2:]) is not None \
                    and flags[name[2:]].kind == "bool" and not eq:
                flag, negated = flags[name[2:]], True
            if flag is None or only is not None and flag.name != only:
                rest.append(arg)
                continue
            if flag.kind == "bool" and not eq:
                new = not negated
            else:
                if not eq:
                    if i >= len(args):
                        raise IllegalFlagValueError(f"Missing value for flag --{name}")
                    value = args[i]
                    i += 1
                new = flag.parse(value)
                if flag.multi:
                    new = (flag.value if flag.present else []) + new
            flag.value = new
            flag.present += 1
        return rest

    def mark_as_parsed(self):
        object.__setattr__(self, "_parsed", True)

    def is_parsed(self) -> bool:
        return self._parsed

    def unparse_flags(self):
        for f in self._flags.values():
            f.value, f.present = f.default, 0
        object.__setattr__(self, "_parsed", False)

    # -- access -------------------------------------------------------------------------------------------------
    def __getattr__(self, name):
        flags = self._flags
        if name not in flags:
            raise AttributeError(name)
        if not self._parsed:
            self(sys.argv)
        return flags[name].value

    def __setattr__(self, name, value):
        flag = self._flags.get(name)
        if flag is None:
            raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
        flag.value = value

    def __getitem__(self, name) -> Flag:
        return self._flags[name]

    def __contains__(self, name) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(self._flags)

    def __dir__(self):
        return sorted(self._flags)

    def flag_values_dict(self) -> dict:
        if not self._parsed:
            self(sys.argv)
        return {k: f.value for k, f in self._flags.items()}

    def get_flag_value(self, name, default):
        f = self._flags.get(name)
        return default if f is None else f.value


FLAGS = FlagValues()


def _definer(parser, kind):
    def define(name, default, help=None, flag_values=FLAGS, **kwargs):  # noqa: A002 - absl's argument name
        flag_values._define(Flag(name, default, help, parser, kind))

    return define


DEFINE_string = _definer(str, "string")
DEFINE_integer = _definer(int, "int")
DEFINE_float = _definer(float, "float")
DEFINE_boolean = _definer(_parse_bool, "bool")
DEFINE_bool = DEFINE_boolean
DEFINE_list = _definer(_parse_list, "list")


def DEFINE_enum(name, default, enum_values, help=None, flag_values=FLAGS, **kwargs):  # noqa: A002
    flag_values._define(Flag(name, default, help, str, "enum", enum_values=list(enum_values)))


def DEFINE_multi_string(name, default, help=None, flag_values=FLAGS, **kwargs):  # noqa: A002
    flag_values._define(Flag(name, default, help, str, "multi", multi=True))


def DEFINE_multi_integer(name, default, help=None, flag_values=FLAGS, **kwargs):  # noqa: A002
    flag_values._define(Flag(name, default, help, int, "multi", multi=True))


def mark_flag_as_required(name, flag_values=FLAGS):
    """Parsing fails later in `tf.app.run` when the flag has no value."""
    flag_values._flags[name].required = True


__all__ = ["FLAGS", "FlagValues", "Flag", "Error", "DuplicateFlagError", "IllegalFlagValueError",
           "UnrecognizedFlagError", "DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean",
           "DEFINE_bool", "DEFINE_list", "DEFINE_enum", "DEFINE_multi_string", "DEFINE_multi_integer",
           "mark_flag_as_required"]
