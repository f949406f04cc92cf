// The client's surface. The message types come from the proto: they are
// generated into ../gen by `npm run gen` (scripts/gen-types.js), never
// committed.
import type * as grpc from '@grpc/grpc-js';
import type { CustomerScore__Output } from '../gen/healthscore/v1/CustomerScore';
import type { Driver__Output } from '../gen/healthscore/v1/Driver';
import type { RecommendedAction__Output } from '../gen/healthscore/v1/RecommendedAction';
import type { HistoryPoint__Output } from '../gen/healthscore/v1/HistoryPoint';
import type { ExplainChangeResponse__Output } from '../gen/healthscore/v1/ExplainChangeResponse';
import type { ListMoversResponse__Output } from '../gen/healthscore/v1/ListMoversResponse';
import type { GetPortfolioResponse__Output } from '../gen/healthscore/v1/GetPortfolioResponse';
import type { AccountRollup__Output } from '../gen/healthscore/v1/AccountRollup';
import type { Alert__Output } from '../gen/healthscore/v1/Alert';
import type { AlertEvent__Output } from '../gen/healthscore/v1/AlertEvent';
import type { Scorecard__Output } from '../gen/healthscore/v1/Scorecard';
import type { DimensionInfo__Output } from '../gen/healthscore/v1/DimensionInfo';
import type { Provenance__Output } from '../gen/healthscore/v1/Provenance';
import type { ScoreBatchResponse__Output } from '../gen/healthscore/v1/ScoreBatchResponse';
import type { CustomerResult } from '../gen/healthscore/v1/CustomerResult';
import type { Timestamp__Output } from '../gen/google/protobuf/Timestamp';
import type { HealthScoringClient } from '../gen/healthscore/v1/HealthScoring';
import type { HistoryClient } from '../gen/healthscore/v1/History';
import type { AlertsClient } from '../gen/healthscore/v1/Alerts';
import type { OverridesClient } from '../gen/healthscore/v1/Overrides';
import type { ValidationClient } from '../gen/healthscore/v1/Validation';

export type Score = CustomerScore__Output;
export type Driver = Driver__Output;
export type Action = RecommendedAction__Output;
export type HistoryPoint = HistoryPoint__Output;
export type ExplainChange = ExplainChangeResponse__Output;
export type Alert = Alert__Output;
export type AlertEvent = AlertEvent__Output;
export type Timestamp = Timestamp__Output;

/** A time: a Date, an ISO 8601 string, milliseconds since the epoch, or a Timestamp. */
export type TimeLike = Date | string | number | { seconds: number | string; nanos?: number };
export type ExplainLevel = 'none' | 'summary' | 'full' | 'EXPLAIN_NONE' | 'EXPLAIN_SUMMARY' | 'EXPLAIN_FULL';
export type LayoutName = 'compact' | 'full' | 'LAYOUT_COMPACT' | 'LAYOUT_FULL';
/** A signal's value: null, undefined, '' and NaN mark it missing; numeric strings are read. */
export type SignalValue = number | string | boolean | null | undefined;

/** One batch row: {customer_id, segment, attributes?, <signal>: value, ...}. */
export interface BatchRow {
  customer_id?: string;
  customerId?: string;
  segment?: string;
  attributes?: Record<string, string | number>;
  [signal: string]: SignalValue | Record<string, string | number>;
}

export interface CallOptions {
  /** Seconds this call may take (default: the client's timeout). */
  timeout?: number;
}

export interface ClientOptions {
  /** Seconds each unary call may take (default: no deadline). */
  timeout?: number;
  /** Insecure by default. */
  credentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Where healthscore/v1/*.proto are (default: $HEALTHSCORE_PROTO_DIR, ../proto, the repository's proto/). */
  protoDir?: string;
}

export interface ScoreOptions extends CallOptions {
  customerId: string;
  signals?: Record<string, SignalValue>;
  segment?: string;
  /** Default 'summary'. */
  explain?: ExplainLevel;
  asOf?: TimeLike;
  record?: boolean;
  attributes?: Record<string, string | number>;
}

export interface ScoreBatchOptions extends CallOptions {
  /** Default 'none'. */
  explain?: ExplainLevel;
  /** Default 'compact' (decoded into the full layout's objects). */
  layout?: LayoutName;
  /** Compact layout only: send the drivers' sentences (default: formatted here from the templates). */
  sentences?: boolean;
  /** Rows per request (default 1000). */
  batchSize?: number;
  asOf?: TimeLike;
  record?: boolean;
}

export interface HistoryOptions extends CallOptions {
  from?: TimeLike;
  to?: TimeLike;
  full?: boolean;
  pageSize?: number;
  limit?: number;
}

export interface AlertsOptions extends CallOptions {
  state?: 'open' | 'acknowledged' | 'resolved';
  segment?: string;
  severity?: string;
  customerId?: string;
  explain?: boolean;
  deadLettered?: boolean;
  pageSize?: number;
  limit?: number;
}

export interface WatchAlertsOptions {
  /** The cursor of the last event seen; 0 (default) for every event from the start. */
  afterCursor?: number;
  segment?: string;
  severity?: string;
  /** Aborting ends the iteration (without an error). */
  signal?: AbortSignal;
}

export declare class Client {
  constructor(target: string, options?: ClientOptions);
  readonly target: string;
  timeout: number;
  /** The grpc-js stubs, for the calls this class does not wrap. */
  readonly raw: {
    scoring: HealthScoringClient;
    history: HistoryClient;
    alerts: AlertsClient;
    overrides: OverridesClient;
    validation: ValidationClient;
  };
  close(): void;
  score(options: ScoreOptions): Promise<Score>;
  scoreBatch(
    rows: Iterable<BatchRow> | AsyncIterable<BatchRow>,
    options?: ScoreBatchOptions,
  ): Promise<Array<Score | RowError> & { unusedSignals: string[]; provenance: Provenance__Output | null }>;
  history(customerId: string, options?: HistoryOptions): Promise<HistoryPoint[]>;
  why(customerId: string, from?: TimeLike, to?: TimeLike, options?: CallOptions): Promise<ExplainChange>;
  movers(options?: CallOptions & {
    from?: TimeLike; to?: TimeLike; segment?: string; direction?: 'drops' | 'rises';
    limit?: number; lookbackDays?: number;
  }): Promise<ListMoversResponse__Output>;
  portfolio(options?: CallOptions & {
    asOf?: TimeLike; segment?: string; windowDays?: number; lookbackDays?: number;
  }): Promise<GetPortfolioResponse__Output>;
  alerts(options?: AlertsOptions): Promise<Alert[]>;
  /** The same as alerts(). */
  listAlerts(options?: AlertsOptions): Promise<Alert[]>;
  acknowledgeAlert(id: number, who: string, note?: string, options?: CallOptions): Promise<Alert>;
  resolveAlert(id: number, who: string, note?: string, options?: CallOptions): Promise<Alert>;
  watchAlerts(options?: WatchAlertsOptions): AsyncGenerator<AlertEvent, void, undefined>;
  scorecard(options?: CallOptions): Promise<Scorecard__Output>;
  dimensions(options?: CallOptions): Promise<DimensionInfo__Output[]>;
  accountRollup(parentId: string, options?: CallOptions & { at?: TimeLike }): Promise<AccountRollup__Output>;
}

/** Any error the service (or the channel to it) answered with. */
export declare class HealthscoreError extends Error {
  constructor(details: string, code?: number, metadata?: grpc.Metadata);
  /** The canonical gRPC status code (3 = INVALID_ARGUMENT). */
  readonly code: number;
  /** e.g. "INVALID_ARGUMENT". */
  readonly codeName: string;
  /** The server's message (also `message`). */
  readonly details: string;
  readonly metadata?: grpc.Metadata;
}
/** CANCELLED. */
export declare class CancelledError extends HealthscoreError {}
/** UNKNOWN. */
export declare class UnknownError extends HealthscoreError {}
/** INVALID_ARGUMENT. */
export declare class InvalidArgumentError extends HealthscoreError {}
/** DEADLINE_EXCEEDED. */
export declare class DeadlineExceededError extends HealthscoreError {}
/** NOT_FOUND. */
export declare class NotFoundError extends HealthscoreError {}
/** ALREADY_EXISTS. */
export declare class AlreadyExistsError extends HealthscoreError {}
/** PERMISSION_DENIED. */
export declare class PermissionDeniedError extends HealthscoreError {}
/** RESOURCE_EXHAUSTED. */
export declare class ResourceExhaustedError extends HealthscoreError {}
/** FAILED_PRECONDITION. */
export declare class FailedPreconditionError extends HealthscoreError {}
/** ABORTED. */
export declare class AbortedError extends HealthscoreError {}
/** OUT_OF_RANGE. */
export declare class OutOfRangeError extends HealthscoreError {}
/** UNIMPLEMENTED. */
export declare class UnimplementedError extends HealthscoreError {}
/** INTERNAL. */
export declare class InternalError extends HealthscoreError {}
/** UNAVAILABLE. */
export declare class UnavailableError extends HealthscoreError {}
/** DATA_LOSS. */
export declare class DataLossError extends HealthscoreError {}
/** UNAUTHENTICATED. */
export declare class UnauthenticatedError extends HealthscoreError {}
/** A compact reply whose arrays do not fit together. */
export declare class CompactDecodeError extends DataLossError {
  constructor(details: string);
}

/** A batch row the server did not score. */
export declare class RowError {
  constructor(customerId: string, code: number, message: string, row: number);
  readonly customerId: string;
  readonly code: number;
  readonly codeName: string;
  readonly message: string;
  /** Its index in the rows given to scoreBatch. */
  readonly row: number;
  toError(): HealthscoreError;
}

export declare const CODE_NAMES: readonly string[];
export declare function errorFor(code: number, details: string, metadata?: grpc.Metadata): HealthscoreError;
export declare function fromGrpc(err: unknown): unknown;
export declare function toDate(timestamp: Timestamp | null | undefined): Date | null;
export declare function toTimestamp(value: TimeLike | null | undefined, what?: string): Timestamp | null;
/** A compact ScoreBatch reply read back into CustomerResult-shaped objects. */
export declare function expandCompact(response: ScoreBatchResponse__Output): CustomerResult[];
export declare function formatNumber(value: number, format: string, noun?: string): string;
export declare function defaultProtoDir(): string;
export declare const PROTO_FILES: readonly string[];
export declare const LOADER_OPTIONS: Readonly<Record<string, unknown>>;
