'use strict';
// Typed errors: one class per family of gRPC status codes, each carrying the
// numeric code, its name and the server's message.

const CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED',
  'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** Any error the service (or the channel to it) answered with. */
class HealthscoreError extends Error {
  /**
   * @param {string} details the server's message
   * @param {number} code the canonical gRPC status code
   * @param {object} [metadata] the trailing metadata (a grpc.Metadata)
   */
  constructor(details, code = 2, metadata = undefined) {
    super(details);
    this.name = new.target.name;
    /** The canonical gRPC status code (3 = INVALID_ARGUMENT). */
    this.code = code;
    /** Its name, e.g. "INVALID_ARGUMENT". */
    this.codeName = CODE_NAMES[code] || `CODE_${code}`;
    /** The server's message (also `message`). */
    this.details = details;
    this.metadata = metadata;
  }
}

// One class per code (as the Python client has); `code` says which.
/** CANCELLED. */
class CancelledError extends HealthscoreError {}
/** UNKNOWN. */
class UnknownError extends HealthscoreError {}
/** INVALID_ARGUMENT: the request is wrong; do not retry it. */
class InvalidArgumentError extends HealthscoreError {}
/** DEADLINE_EXCEEDED: the call's timeout passed. */
class DeadlineExceededError extends HealthscoreError {}
/** NOT_FOUND. */
class NotFoundError extends HealthscoreError {}
/** ALREADY_EXISTS. */
class AlreadyExistsError extends HealthscoreError {}
/** PERMISSION_DENIED. */
class PermissionDeniedError extends HealthscoreError {}
/** RESOURCE_EXHAUSTED: over a limit, or the server is busy; retry with backoff, or smaller. */
class ResourceExhaustedError extends HealthscoreError {}
/** FAILED_PRECONDITION: not in this state (e.g. a resolved alert; no dimension could score). */
class FailedPreconditionError extends HealthscoreError {}
/** ABORTED. */
class AbortedError extends HealthscoreError {}
/** OUT_OF_RANGE (e.g. a cursor the history never gave). */
class OutOfRangeError extends HealthscoreError {}
/** UNIMPLEMENTED: the server does not have this call. */
class UnimplementedError extends HealthscoreError {}
/** INTERNAL. */
class InternalError extends HealthscoreError {}
/** UNAVAILABLE: the server is not reachable or is shutting down; retry. */
class UnavailableError extends HealthscoreError {}
/** DATA_LOSS. */
class DataLossError extends HealthscoreError {}
/** UNAUTHENTICATED. */
class UnauthenticatedError extends HealthscoreError {}
/** A compact reply whose arrays do not fit together (DATA_LOSS). */
class CompactDecodeError extends DataLossError {
  constructor(details) {
    super(details, 15);
  }
}

const BY_CODE = {
  1: CancelledError,
  2: UnknownError,
  3: InvalidArgumentError,
  4: DeadlineExceededError,
  5: NotFoundError,
  6: AlreadyExistsError,
  7: PermissionDeniedError,
  8: ResourceExhaustedError,
  9: FailedPreconditionError,
  10: AbortedError,
  11: OutOfRangeError,
  12: UnimplementedError,
  13: InternalError,
  14: UnavailableError,
  15: DataLossError,
  16: UnauthenticatedError,
};

/** The typed error for a status code and message. */
function errorFor(code, details, metadata) {
  const Class = BY_CODE[code] || HealthscoreError;
  return new Class(details, code, metadata);
}

/** A grpc-js ServiceError (or anything thrown) as a HealthscoreError. */
function fromGrpc(err) {
  if (err instanceof HealthscoreError) return err;
  if (err && typeof err.code === 'number') {
    const e = errorFor(err.code, err.details !== undefined ? err.details : err.message, err.metadata);
    e.cause = err;
    return e;
  }
  return err;
}

/** A batch row the server did not score: its customer id, code and message. */
class RowError {
  constructor(customerId, code, message, row) {
    this.customerId = customerId;
    /** The canonical gRPC status code (3 = INVALID_ARGUMENT). */
    this.code = code;
    this.codeName = CODE_NAMES[code] || `CODE_${code}`;
    this.message = message;
    /** Its index in the rows given to scoreBatch. */
    this.row = row;
  }

  /** The same, as a throwable HealthscoreError. */
  toError() {
    return errorFor(this.code, this.message);
  }
}

module.exports = {
  CODE_NAMES,
  HealthscoreError,
  CancelledError,
  UnknownError,
  InvalidArgumentError,
  DeadlineExceededError,
  NotFoundError,
  AlreadyExistsError,
  PermissionDeniedError,
  ResourceExhaustedError,
  FailedPreconditionError,
  AbortedError,
  OutOfRangeError,
  UnimplementedError,
  InternalError,
  UnavailableError,
  DataLossError,
  UnauthenticatedError,
  CompactDecodeError,
  RowError,
  errorFor,
  fromGrpc,
};
