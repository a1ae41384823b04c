// The one error type the services throw: an RFC 9457 problem with a stable machine-readable code.
export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemInit {
  status: number;
  /** Stable snake_case code from the service's enumerated list. */
  code: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra response headers, e.g. Retry-After on 429/503. */
  headers?: Record<string, string>;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title ?? init.code);
    this.name = 'ProblemError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? defaultTitle(init.status);
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
  }
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function defaultTitle(status: number): string {
  return titles[status] ?? 'Error';
}
