"""Type aliases and ``Literal`` option types shared across the package."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Anything that names one instant or day.
DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64

#: Kind of security a canonical symbol names.
SymbolKind: TypeAlias = Literal["stock", "index", "board", "foreign"]

#: How a publication time maps to a trading session (METHODS.md "Day 0").
SessionRule: TypeAlias = Literal["next", "previous", "strict"]

#: Normal-return models.
ModelName: TypeAlias = Literal[
    "raw", "constant_mean", "market_adjusted", "market", "ff3", "carhart"
]

#: Error policy of loaders: collect bad inputs in ``skipped`` or raise.
ErrorPolicy: TypeAlias = Literal["collect", "raise"]

#: Price adjustment: forward (qfq), backward (hfq) or none.
Adjust: TypeAlias = Literal["qfq", "hfq", "none"]

#: Price field.
PriceField: TypeAlias = Literal["open", "high", "low", "close", "volume", "amount"]

#: Return type.
ReturnKind: TypeAlias = Literal["simple", "log"]

#: Float array.
FloatArray: TypeAlias = npt.NDArray[np.float64]

# market

#: Names of the built-in price sources (``eventstudy.market.register_source`` adds more).
SourceName: TypeAlias = Literal["auto", "bundled", "local", "akshare", "yfinance"]

#: Weighting of a board proxy built from its members.
ProxyWeights: TypeAlias = Literal["equal", "value", "amount"]

#: Why a requested symbol is listed in ``PriceFrame.failures``.
FailureReason: TypeAlias = Literal["unavailable", "partial", "provider_failed"]

#: Unit of ``成交量`` in local price files with akshare's Chinese headers.
VolumeUnit: TypeAlias = Literal["lots", "shares"]

#: Eastmoney board lists.
BoardListKind: TypeAlias = Literal["concept", "industry"]
