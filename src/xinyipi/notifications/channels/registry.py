"""The channel plugins by code. ``notifications.contrib`` registers the shipped ones at start-up."""

from xinyipi.notifications.channels.base import Channel


class Registry:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, cls: type[Channel]) -> type[Channel]:
        """Class decorator: one instance per code; registering a code again replaces the plugin."""
        if not cls.code:
            raise ValueError(f"{cls.__name__} has no code")
        self._channels[cls.code] = cls()
        return cls

    def __getitem__(self, code: str) -> Channel:
        return self._channels[code]

    def __contains__(self, code: str) -> bool:
        return code in self._channels

    def __iter__(self):
        return iter(self._channels.values())

    def configured_codes(self) -> list[str]:
        """Codes of the channels that can deliver now; rows of the others wait in the outbox."""
        return [code for code, channel in self._channels.items() if channel.is_configured()]


registry = Registry()
register = registry.register
