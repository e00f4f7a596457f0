"""docketcal's cited data, installed as the package data ``calendars._data``."""
