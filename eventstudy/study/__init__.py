"""Event studies: normal-return models, abnormal returns, the test battery.

Public API: :func:`run_event_study`, :class:`EventStudy` (the frozen spec) and
:class:`EventStudyResult`. The conventions are documented in
:mod:`eventstudy.study.models` (models, prediction-error variances),
:mod:`eventstudy.study.engine` (AR/CAR/BHAR, missing data, ranks) and
:mod:`eventstudy.study.inference` (the tests, with references).
"""

from eventstudy.study.inference import TESTS
from eventstudy.study.result import EventStudyResult, window_label
from eventstudy.study.spec import DEFAULT_CAR_WINDOWS, EventStudy, run_event_study

__all__ = [
    "DEFAULT_CAR_WINDOWS",
    "TESTS",
    "EventStudy",
    "EventStudyResult",
    "run_event_study",
    "window_label",
]
