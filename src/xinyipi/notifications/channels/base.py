"""What a delivery channel is. Plugins subclass ``Channel`` and register with ``channels.registry.register``."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Delivery:
    """A successful hand-over: the provider accepted the message (its own id, when it gives one)."""

    provider_message_id: str = ""


class DeliveryError(Exception):
    """The provider did not accept the message.

    ``permanent`` means retrying cannot help (the provider refused this message itself, e.g. an invalid
    number): the row is dead-lettered at once. Otherwise (timeout, connection refused, 5xx) it is retried
    with backoff until the attempt budget is spent.
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Channel:
    """One way to deliver an outbox row.

    Attributes every plugin sets:

    - ``code``: the ``Notification.Channel`` value it delivers (``sms``, ``email``, ``in_app``);
    - ``label``: its name for people;
    - ``delivers_in_transaction``: ``True`` only for channels that write nothing but rows of this database
      (in-app messages). ``notify`` then delivers at once, inside the caller's transaction, so the message
      exists exactly when the change committed and needs no worker.

    Methods:

    - ``is_configured()``: ``False`` when the channel has nowhere to send (no gateway URL). Its rows are
      not claimed: they wait in the outbox until it is configured.
    - ``recipient_clean(recipient)``: the normalised address, or ``DomainError`` naming ``recipient``.
    - ``deliver(notification)``: hand the message over; return ``Delivery`` or raise ``DeliveryError``. It is
      called by the worker holding the row's lease, possibly again for the same row after a crash, always with
      the same ``notification.message_id``: pass it to the provider as the idempotency key.
    """

    code: str = ""
    label: str = ""
    delivers_in_transaction: bool = False

    def is_configured(self) -> bool:
        return True

    def recipient_clean(self, recipient: str) -> str:
        return recipient

    def deliver(self, notification) -> Delivery:
        raise NotImplementedError
