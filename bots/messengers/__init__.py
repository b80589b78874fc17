"""The senders of each channel, behind :class:`bots.messenger.Messenger`."""
