"""Our own error hierarchy; the CLI and API map these to exit codes and HTTP statuses at the edges."""


class CrosssellError(Exception):
    """Base of every error the product reports to a person."""

    exit_code = 1


class InputError(CrosssellError):
    """Bad input from a person or a file: a malformed value, an unknown option."""

    exit_code = 2


class NotFound(CrosssellError):
    """An id that names nothing stored (patient, service, offer)."""

    exit_code = 3


class ConfigurationError(CrosssellError):
    """The environment or the practice settings cannot work as given."""

    exit_code = 4


class Unreachable(ConfigurationError):
    """The database cannot be reached, or was lost midway: a configuration error to whoever
    starts a command or a request, and one a long run (an import) can tell apart and say
    what of its work stays."""


class TooLarge(InputError):
    """An upload over the size the practice reads (an export, say): refused before it is read."""


class NotEligible(InputError):
    """A patient who must not get an offer now; the message says why."""


class Unauthenticated(CrosssellError):
    """No valid login or token."""

    exit_code = 5


class Forbidden(CrosssellError):
    """A known user whose role does not allow the action."""

    exit_code = 6


class Conflict(CrosssellError):
    """An action the current state does not allow: an illegal transition, a stale version."""

    exit_code = 7


class LoginRefused(Unauthenticated):
    """A password that did not log anyone in; `reason` is what the audit log records (the
    person is told less: which ids exist is no one's business before they log in)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TooManyAttempts(CrosssellError):
    """Logins refused for a while after repeated failures; `retry_after` is in seconds."""

    exit_code = 9

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Tampered(CrosssellError):
    """The audit log is not what was written: an entry altered, removed or cut off."""

    exit_code = 10
