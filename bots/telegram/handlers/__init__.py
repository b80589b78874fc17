"""One Router per kind of update; joined, catch-all last, in :func:`bots.telegram.dispatcher.build_dispatcher`.

Handlers receive the :class:`bots.flow.InboundFlow` as ``flow`` (dispatcher workflow data) and the
raw update as ``event_update`` (its id is the dedup key).
"""
