"""Market data: sources, cache, calendars, board proxies and returns."""

from eventstudy.market.calendar import TradingCalendar, to_session, trading_sessions

__all__ = ["TradingCalendar", "to_session", "trading_sessions"]
