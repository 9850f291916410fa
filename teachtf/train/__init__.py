"""tf.train: optimizers, schedules, global step, moving averages, Saver and checkpoint utilities."""

from .optimizers import *  # noqa: F401,F403  (optimizers, slots)
from .schedules import *  # noqa: F401,F403  (learning-rate schedules)
from .global_step import *  # noqa: F401,F403
from .moving_averages import *  # noqa: F401,F403
from .saver import *  # noqa: F401,F403  (Saver, latest_checkpoint, ...)
from .checkpoint_utils import *  # noqa: F401,F403
from .monitored_session import *  # noqa: F401,F403  (MonitoredTrainingSession, hooks)
from .legacy import *  # noqa: F401,F403  (SummaryWriter and other pre-1.0 names)
