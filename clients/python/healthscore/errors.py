"""Typed exceptions: one class per gRPC status code, each carrying the code
and the server's message.

    try:
        client.score("c1", {"late_payments_12m": -2})
    except healthscore.InvalidArgument as e:
        print(e.code, e.message)

Each class also derives from the closest built-in exception where one fits
(InvalidArgument is a ValueError, NotFound a LookupError, DeadlineExceeded a
TimeoutError, Unavailable a ConnectionError), so generic handlers work too.
"""

import grpc

__all__ = [
    "HealthscoreError", "Cancelled", "Unknown", "InvalidArgument",
    "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
    "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
    "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    "CompactDecodeError", "error_class", "from_rpc_error",
]


class HealthscoreError(Exception):
    """A failed call: `code` (a grpc.StatusCode) and `message` (the server's)."""

    code = grpc.StatusCode.UNKNOWN

    def __init__(self, message, code=None, details=None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        # The grpc.RpcError it came from, when it came from one.
        self.details = details

    def __str__(self):
        return "%s: %s" % (self.code.name, self.message)

    def __repr__(self):
        return "%s(code=%s, message=%r)" % (type(self).__name__, self.code.name, self.message)


class Cancelled(HealthscoreError):
    code = grpc.StatusCode.CANCELLED


class Unknown(HealthscoreError):
    code = grpc.StatusCode.UNKNOWN


class InvalidArgument(HealthscoreError, ValueError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceeded(HealthscoreError, TimeoutError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFound(HealthscoreError, LookupError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(HealthscoreError):
    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(HealthscoreError, PermissionError):
    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(HealthscoreError):
    """The server cannot take this now (queue or size limits): the message
    says which limit; retry with backoff or send less."""
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPrecondition(HealthscoreError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(HealthscoreError):
    code = grpc.StatusCode.ABORTED


class OutOfRange(HealthscoreError, ValueError):
    code = grpc.StatusCode.OUT_OF_RANGE


class Unimplemented(HealthscoreError, NotImplementedError):
    code = grpc.StatusCode.UNIMPLEMENTED


class Internal(HealthscoreError):
    code = grpc.StatusCode.INTERNAL


class Unavailable(HealthscoreError, ConnectionError):
    code = grpc.StatusCode.UNAVAILABLE


class DataLoss(HealthscoreError):
    code = grpc.StatusCode.DATA_LOSS


class Unauthenticated(HealthscoreError):
    code = grpc.StatusCode.UNAUTHENTICATED


class CompactDecodeError(DataLoss):
    """A compact ScoreBatch reply whose arrays do not fit together (as the C++
    CLI's decoder reports it: DATA_LOSS naming the array)."""


_BY_CODE = {cls.code: cls for cls in (
    Cancelled, Unknown, InvalidArgument, DeadlineExceeded, NotFound,
    AlreadyExists, PermissionDenied, ResourceExhausted, FailedPrecondition,
    Aborted, OutOfRange, Unimplemented, Internal, Unavailable, DataLoss,
    Unauthenticated)}

_BY_VALUE = {code.value[0]: code for code in grpc.StatusCode}


def status_code(code):
    """A grpc.StatusCode from a StatusCode, its number (3) or its name."""
    if isinstance(code, grpc.StatusCode):
        return code
    if isinstance(code, str) and not code.strip().lstrip("-").isdigit():
        return grpc.StatusCode[code.upper()]
    return _BY_VALUE.get(int(code), grpc.StatusCode.UNKNOWN)


def error_class(code):
    """The exception class for a status code (a StatusCode, number or name)."""
    return _BY_CODE.get(status_code(code), HealthscoreError)


def from_rpc_error(error):
    """The typed exception for a grpc.RpcError (a failed call)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    cls = error_class(code)
    return cls(message or "", code=code, details=error)
