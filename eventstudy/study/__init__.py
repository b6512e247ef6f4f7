"""Event studies: normal-return models, abnormal returns, the test battery.

Public API: :func:`run_event_study`, :class:`EventStudy` (the frozen spec) and
:class:`EventStudyResult`, the defaults (``DEFAULT_*``) and :func:`window_label`.
The conventions are documented in :mod:`eventstudy.study.models` (models,
prediction-error variances), :mod:`eventstudy.study.core` (AR/CAR/BHAR, missing
data, ranks), :mod:`eventstudy.study.engine` (fetching, the block scheduler) and
:mod:`eventstudy.study.inference` (the tests, with references).
"""

from eventstudy.study.inference import TESTS
from eventstudy.study.result import EventStudyResult
from eventstudy.study.spec import (
    DEFAULT_CAR_WINDOWS,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_EVENT_WINDOW,
    DEFAULT_LEVEL,
    DEFAULT_MARKET,
    DEFAULT_MIN_ESTIMATION_OBS,
    DEFAULT_MODEL,
    EventStudy,
    run_event_study,
)
from eventstudy.study.windows import window_label

__all__ = [
    "DEFAULT_CAR_WINDOWS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOW",
    "DEFAULT_LEVEL",
    "DEFAULT_MARKET",
    "DEFAULT_MIN_ESTIMATION_OBS",
    "DEFAULT_MODEL",
    "TESTS",
    "EventStudy",
    "EventStudyResult",
    "run_event_study",
    "window_label",
]
