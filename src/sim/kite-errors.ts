/**
 * Kite's error envelope: `{"status":"error","message":...,"error_type":...,"data":null}` with
 * the HTTP status Kite uses for each kind of failure (KITE.md "REST basics").
 */

export type KiteErrorType =
  | "TokenException"
  | "UserException"
  | "PermissionException"
  | "OrderException"
  | "InputException"
  | "MarginException"
  | "HoldingException"
  | "NetworkException"
  | "DataException"
  | "GeneralException";

/** A failure a route answers with Kite's error envelope. */
export class KiteError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorType: KiteErrorType,
    message: string,
  ) {
    super(message);
  }

  /** The JSON body Kite sends. */
  body(): KiteErrorBody {
    return { status: "error", message: this.message, error_type: this.errorType, data: null };
  }
}

export interface KiteErrorBody {
  status: "error";
  message: string;
  error_type: KiteErrorType;
  data: null;
}

/** Kite's wording for a missing, unknown or expired access token. */
export const BAD_TOKEN_MESSAGE = "Incorrect `api_key` or `access_token`.";

/** 403 TokenException: the session is not valid (any more). */
export function tokenError(message = BAD_TOKEN_MESSAGE): KiteError {
  return new KiteError(403, "TokenException", message);
}

/** 400 InputException: a parameter is missing or wrong. */
export function inputError(message: string): KiteError {
  return new KiteError(400, "InputException", message);
}

/** The body of HTTP 429, exactly as Kite sends it. */
export const TOO_MANY_REQUESTS_BODY = {
  status: "error",
  error_type: "NetworkException",
  message: "Too many requests",
} as const;

/** The success envelope. */
export function success<T>(data: T): { status: "success"; data: T } {
  return { status: "success", data };
}
