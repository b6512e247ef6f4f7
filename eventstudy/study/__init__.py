"""Event studies: normal-return models, abnormal returns, the test battery.

Public API: :func:`run_event_study`, :class:`EventStudy` (the frozen spec),
:class:`EventStudyResult` and its :class:`TestResult` records, the defaults
(``DEFAULT_*``) and :func:`window_label`. The modules:

- :mod:`~eventstudy.study.spec`: the spec (validation only) and the defaults;
- :mod:`~eventstudy.study.engine`: fetching returns, the block scheduler, the fit;
- :mod:`~eventstudy.study.models`: the registry of normal-return models
  (:mod:`~eventstudy.study.garch`: the GARCH fits through ``arch``);
- :mod:`~eventstudy.study.measures`: what is measured (returns, volume, volatility);
- :mod:`~eventstudy.study.core`: AR/CAR/BHAR, missing data, ranks (pure arrays);
- :mod:`~eventstudy.study.inference`: the registry of tests, with references;
- :mod:`~eventstudy.study.statistics`: the cross-sectional statistics they use;
- :mod:`~eventstudy.study.calendar_time`, :mod:`~eventstudy.study.bootstrap`: the
  calendar-time portfolio test and the resampling tests;
- :mod:`~eventstudy.study.placebo`: the same study on random dates (``result.placebo``);
- :mod:`~eventstudy.study.headline`: the headline test the summary names, and its rule;
- :mod:`~eventstudy.study.panel_market`: ``market="ew"``, built from the panel;
- :mod:`~eventstudy.study.panel`, :mod:`~eventstudy.study.windows`: inputs, windows;
- :mod:`~eventstudy.study.result`, :mod:`~eventstudy.study.regression`: the result.
"""

from eventstudy.study.inference import BOOTSTRAP_TESTS, TEST_REGISTRY, TESTS, TestResult
from eventstudy.study.measures import MEASURE_REGISTRY, MEASURES
from eventstudy.study.models import MODEL_REGISTRY, MODELS
from eventstudy.study.placebo import StudyPlacebo
from eventstudy.study.result import EventStudyResult
from eventstudy.study.spec import (
    DEFAULT_CAR_WINDOWS,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_EVENT_WINDOW,
    DEFAULT_LEVEL,
    DEFAULT_MARKET,
    DEFAULT_MEASURE,
    DEFAULT_MIN_ESTIMATION_OBS,
    DEFAULT_MODEL,
    EventStudy,
    run_event_study,
)
from eventstudy.study.windows import window_label

__all__ = [
    "BOOTSTRAP_TESTS",
    "DEFAULT_CAR_WINDOWS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOW",
    "DEFAULT_LEVEL",
    "DEFAULT_MARKET",
    "DEFAULT_MEASURE",
    "DEFAULT_MIN_ESTIMATION_OBS",
    "DEFAULT_MODEL",
    "MEASURES",
    "MEASURE_REGISTRY",
    "MODELS",
    "MODEL_REGISTRY",
    "TESTS",
    "TEST_REGISTRY",
    "EventStudy",
    "EventStudyResult",
    "StudyPlacebo",
    "TestResult",
    "run_event_study",
    "window_label",
]
