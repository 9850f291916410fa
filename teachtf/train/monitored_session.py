"""MonitoredTrainingSession, MonitoredSession and Scaffold (API.md §12.7).

A monitored session calls every hook's `begin()`, finalizes the graph through
the Scaffold (which supplies the init op, ready op, summary op and Saver),
creates a Session that it initializes or restores from the latest checkpoint,
and then runs each `run()` through the hooks. Single process only.
"""

from __future__ import annotations

import logging
import os

from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import GraphKeys
from .basic_session_run_hooks import (CheckpointSaverHook, CheckpointSaverListener, FeedFnHook, FinalOpsHook,
                                      LoggingTensorHook, NanLossDuringTrainingError, NanTensorHook,
                                      SecondOrStepTimer, StepCounterHook, StopAtStepHook, SummarySaverHook)
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues

__all__ = ["ChiefSessionCreator", "MonitoredSession", "MonitoredTrainingSession", "Scaffold", "SessionCreator",
           "SingularMonitoredSession", "CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook",
           "FinalOpsHook", "LoggingTensorHook", "NanLossDuringTrainingError", "NanTensorHook", "SecondOrStepTimer",
           "SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues", "StepCounterHook",
           "StopAtStepHook", "SummarySaverHook"]

_log = logging.getLogger("tensorflow")
USE_DEFAULT = object()


class Scaffold:
    """The ops a monitored session needs; each missing one is taken from its collection or built by `finalize()`.

    `finalize()` also finalizes the graph.
    """

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None, ready_for_local_init_op=None,
                 local_init_op=None, summary_op=None, saver=None, copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            c = copy_from_scaffold
            init_op = init_op if init_op is not None else c.init_op
            init_feed_dict = init_feed_dict if init_feed_dict is not None else c.init_feed_dict
            init_fn = init_fn or c._user_init_fn
            ready_op = ready_op if ready_op is not None else c.ready_op
            ready_for_local_init_op = (ready_for_local_init_op if ready_for_local_init_op is not None
                                       else c.ready_for_local_init_op)
            local_init_op = local_init_op if local_init_op is not None else c.local_init_op
            summary_op = summary_op if summary_op is not None else c.summary_op
            saver = saver if saver is not None else c.saver
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._summary_op = summary_op
        self._saver = saver

    init_op = property(lambda self: self._init_op)
    init_fn = property(lambda self: self._init_fn)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        """The single item of `collection_key`, or a new one from `default_constructor` (then added to it)."""
        elements = _graph.get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError(f'More than one item in the collection "{collection_key}". Please indicate which '
                                   f"one to use by passing it to the tf.Scaffold constructor as:  "
                                   f"tf.Scaffold({arg_name}=item to use)")
            return elements[0]
        op = default_constructor()
        if op is not None:
            _graph.add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        from ..ops.control_flow_ops import group
        from ..ops.variables import local_variables_initializer

        return group(local_variables_initializer())

    def finalize(self) -> Scaffold:
        """Creates the missing ops, then finalizes the graph (no more ops can be added)."""
        from ..ops.control_flow_ops import group
        from ..ops.variables import global_variables, global_variables_initializer, report_uninitialized_variables
        from .saver import Saver

        graph = _graph.get_default_graph()
        if graph.finalized:
            return self
        if self._init_op is None:
            self._init_op = Scaffold.get_or_default("init_op", GraphKeys.INIT_OP,
                                                    lambda: group(global_variables_initializer()))
        if self._ready_op is None:
            self._ready_op = Scaffold.get_or_default("ready_op", GraphKeys.READY_OP, report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op", GraphKeys.READY_FOR_LOCAL_INIT_OP,
                lambda: report_uninitialized_variables(global_variables()))
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default("local_init_op", GraphKeys.LOCAL_INIT_OP,
                                                          Scaffold.default_local_init_op)
        if self._summary_op is None:
            from ..summary.summary_ops import merge_all

            self._summary_op = Scaffold.get_or_default("summary_op", GraphKeys.SUMMARY_OP, merge_all)
        if self._saver is None:
            self._saver = Scaffold.get_or_default("saver", GraphKeys.SAVERS,
                                                  lambda: Saver(sharded=True, allow_empty=True))
        graph.finalize()
        _log.info("Graph was finalized.")
        return self


class SessionCreator:
    """Creates the Session of a MonitoredSession."""

    def create_session(self):
        raise NotImplementedError


def _uninitialized(sess, ready_op):
    if ready_op is None:
        return []
    names = sess.run(ready_op)
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names.reshape(-1)]


class ChiefSessionCreator(SessionCreator):
    """Finalizes the scaffold, then initializes the variables or restores them from the latest checkpoint."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        if master not in ("", None):
            raise ValueError(f"master must be '' (teachtf runs in one process), got {master!r}")
        self._scaffold = scaffold or Scaffold()
        self._config = config
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path

    def _restore(self, sess) -> bool:
        saver = self._scaffold.saver
        if saver is None or saver.saver_def is None:
            return False
        if self._checkpoint_filename_with_path:
            saver.restore(sess, self._checkpoint_filename_with_path)
            return True
        if not self._checkpoint_dir:
            return False
        from .checkpoint_state import get_checkpoint_state

        state = get_checkpoint_state(self._checkpoint_dir)
        if state is None or not state.model_checkpoint_path:
            _log.info("Checkpoint not found in %s; initializing the variables.", self._checkpoint_dir)
            return False
        saver.restore(sess, state.model_checkpoint_path)
        saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        return True

    def create_session(self):
        from ..client.session import Session

        s = self._scaffold.finalize()
        sess = Session(graph=_graph.get_default_graph(), config=self._config)
        try:
            if not self._restore(sess):
                if s.init_op is None and not s.init_fn and s.local_init_op is None:
                    raise RuntimeError("Model is not initialized and no init_op or init_fn or local_init_op was "
                                       "given")
                if s.init_op is not None:
                    sess.run(s.init_op, feed_dict=s.init_feed_dict)
                if s.init_fn:
                    s.init_fn(sess)
            if s.local_init_op is not None:
                sess.run(s.local_init_op)
            missing = _uninitialized(sess, s.ready_op)
            if missing:
                raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                                   f"{getattr(s.init_op, 'name', s.init_op)}, init fn: {s.init_fn}, local_init_op: "
                                   f"{getattr(s.local_init_op, 'name', s.local_init_op)}, error: Variables not "
                                   f"initialized: {', '.join(missing)}")
        except BaseException:
            sess.close()
            raise
        return sess


class _Coordinator:
    """The minimal stop flag handed to hooks as `coord` (`should_stop`, `request_stop`)."""

    def __init__(self):
        self._stop = False
        self._exc = None

    def should_stop(self) -> bool:
        return self._stop

    def request_stop(self, ex=None):
        self._stop = True
        if ex is not None and self._exc is None:
            self._exc = ex

    def clear_stop(self):
        self._stop = False

    def raise_requested_exception(self):
        if self._exc is not None:
            raise self._exc

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        pass


def _new_coordinator():
    """tf.train.Coordinator when the queue-runner module provides it, else the minimal stand-in."""
    from .. import train

    cls = getattr(train, "Coordinator", None)
    return cls() if cls is not None else _Coordinator()


class _StepContext:
    """What `run_step_fn`'s function receives: `session` (raw), `run_with_hooks`, `request_stop()`."""

    def __init__(self, session, run_with_hooks_fn):
        self._session = session
        self._run_with_hooks_fn = run_with_hooks_fn

    @property
    def session(self):
        return self._session

    def run_with_hooks(self, *args, **kwargs):
        return self._run_with_hooks_fn(*args, **kwargs)

    def request_stop(self):
        raise StopIteration("step_fn has requested the iterations to stop.")


class MonitoredSession:
    """A Session wrapper that runs hooks around each `run` and stops when a hook asks (`should_stop()`)."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        self._graph = _graph.get_default_graph()
        self._graph_was_finalized = self._graph.finalized
        self._hooks = list(hooks or [])
        self._closed = False
        self._should_stop = False
        self._tf_sess = None
        for h in self._hooks:
            h.begin()
        creator = session_creator or ChiefSessionCreator()
        try:
            self._tf_sess = creator.create_session()
            self._coord = _new_coordinator()
            runners = _graph.get_collection(GraphKeys.QUEUE_RUNNERS)
            if runners:
                from .. import train

                train.start_queue_runners(sess=self._tf_sess, coord=self._coord)
            for h in self._hooks:
                h.after_create_session(self._tf_sess, self._coord)
        except BaseException:
            self._close_after_failure()
            raise

    # -- the wrapped session ----------------------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    def _raw_tf_session(self):
        return self._tf_sess

    def should_stop(self) -> bool:
        """True once a hook requested a stop, an OutOfRangeError ended the input, or the session closed."""
        return self._closed or self._should_stop or self._coord.should_stop()

    def _call_hooks_before_run(self, run_context, fetches, user_feed):
        feed = dict(user_feed) if user_feed else {}
        hook_feeds = {}
        for hook in self._hooks:
            request = hook.before_run(run_context)
            if request is None:
                continue
            if request.fetches is not None:
                fetches[hook] = request.fetches
            if request.feed_dict:
                for k in request.feed_dict:
                    if k in hook_feeds:
                        raise RuntimeError(f"Same tensor is fed by two hooks. Conflict(s): [{k}]")
                    if user_feed and k in user_feed:
                        raise RuntimeError(f"Same tensor is fed by a SessionRunHook and user. Conflict(s): [{k}]")
                hook_feeds.update(request.feed_dict)
        feed.update(hook_feeds)
        return feed

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` like Session.run, adding the hooks' fetches and feeds."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed MonitoredSession.")
        all_fetches = {"caller": fetches}
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._tf_sess)
        feed = self._call_hooks_before_run(context, all_fetches, feed_dict)
        try:
            outputs = self._tf_sess.run(all_fetches, feed_dict=feed or None, options=options,
                                        run_metadata=run_metadata)
        except errors.OutOfRangeError as e:
            self._coord.request_stop(e)
            raise
        for hook in self._hooks:
            hook.after_run(context, SessionRunValues(outputs.get(hook), options, run_metadata))
        self._should_stop = self._should_stop or context.stop_requested
        return outputs["caller"]

    def run_step_fn(self, step_fn):
        """Calls `step_fn(step_context)`; `step_context.request_stop()` ends training."""
        try:
            return step_fn(_StepContext(self._tf_sess, self.run))
        except StopIteration:
            self._should_stop = True
            return None

    # -- closing -------------------------------------------------------------------------------------------
    def _close_after_failure(self):
        try:
            if self._tf_sess is not None:
                self._tf_sess.close()
        finally:
            self._closed = True
            if not self._graph_was_finalized:
                self._graph._unsafe_unfinalize()

    def _close_internal(self, exception_type=None):
        if self._closed:
            return
        try:
            if exception_type is None:
                for h in self._hooks:
                    h.end(self._tf_sess)
        finally:
            self._coord.request_stop()
            self._close_after_failure()

    def close(self):
        """Runs the hooks' `end()` (final checkpoint, ...) and closes the session."""
        self._close_internal()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type in (errors.OutOfRangeError, StopIteration):
            exception_type = None
        self._close_internal(exception_type)
        return exception_type is None


class SingularMonitoredSession(MonitoredSession):
    """A MonitoredSession whose ChiefSessionCreator is built from `scaffold`, `checkpoint_dir`, ...; `raw_session()`."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, stop_grace_period_secs)

    def raw_session(self):
        return self._tf_sess


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None, scaffold=None, hooks=None,
                             chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT, save_summaries_steps=USE_DEFAULT,
                             save_summaries_secs=USE_DEFAULT, config=None, stop_grace_period_secs=120,
                             log_step_count_steps=100, max_wait_secs=7200, save_checkpoint_steps=USE_DEFAULT,
                             summary_dir=None) -> MonitoredSession:
    """A MonitoredSession for training: restores from `checkpoint_dir` (or initializes), saves checkpoints every
    `save_checkpoint_secs` (default 600) or `save_checkpoint_steps` and at the end, writes summaries every
    `save_summaries_steps` (default 100) and the speed every `log_step_count_steps` into `summary_dir` (default:
    `checkpoint_dir`). These need a global step (`tf.train.get_or_create_global_step()`).
    """
    if not is_chief:
        raise NotImplementedError("is_chief=False is for distributed training, which teachtf does not run (a worker "
                                  "would wait forever for a chief). Use is_chief=True.")
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir, master=master, config=config)
    all_hooks = list(chief_only_hooks or [])
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
        if (save_summaries_steps and save_summaries_steps > 0) or (save_summaries_secs and save_summaries_secs > 0):
            all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps,
                                              save_secs=save_summaries_secs, output_dir=summary_dir))
    if checkpoint_dir:
        if (save_checkpoint_secs and save_checkpoint_secs > 0) or (save_checkpoint_steps and save_checkpoint_steps > 0):
            all_hooks.append(CheckpointSaverHook(os.fspath(checkpoint_dir), save_steps=save_checkpoint_steps,
                                                 save_secs=save_checkpoint_secs, scaffold=scaffold))
    all_hooks.extend(hooks or [])
    return MonitoredSession(session_creator=creator, hooks=all_hooks, stop_grace_period_secs=stop_grace_period_secs)
